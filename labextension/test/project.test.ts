// Unit tests of the New Project dialog's pure helpers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { projectPath, templateLanguage, uniqueName } from '../src/project/api';

test('the default folder name is made unique in the folder', () => {
  assert.equal(uniqueName('mnist-tutorial', ['a', 'b']), 'mnist-tutorial');
  assert.equal(
    uniqueName('mnist-tutorial', ['mnist-tutorial', 'mnist-tutorial-2']),
    'mnist-tutorial-3'
  );
});

test('the project path is below the file browser folder', () => {
  assert.equal(projectPath('', 'iris-module'), 'iris-module');
  assert.equal(projectPath('work/', ' iris '), 'work/iris');
  assert.equal(projectPath('/work', '/x/'), 'work/x');
});

test('Chinese for any zh language code, else English', () => {
  assert.equal(templateLanguage('zh-CN'), 'zh');
  assert.equal(templateLanguage('zh_TW'), 'zh');
  assert.equal(templateLanguage('en'), 'en');
  assert.equal(templateLanguage(undefined), 'en');
});
