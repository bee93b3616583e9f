// Unit tests of what inserted code brings along (catalog/needs.ts) and of the
// test page's language in its address (deploy/testurl.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { IParam } from '../src/catalog/api';
import { datasetFolders, datasetIdsOf } from '../src/catalog/needs';
import { testPageAddress, testPageLang } from '../src/deploy/testurl';

const param = (name: string, default_value?: unknown): IParam => ({
  name,
  value_type: 'str',
  default_value,
  description: '',
  optional: false
});

test('the dataset folders that defaults read', () => {
  assert.deepEqual(
    datasetFolders([
      param('data_path', 'datasets/mo-text_zh_en'),
      param('npz', './datasets/mo-mnist/mnist.npz'),
      param('again', 'datasets/mo-mnist/other.npz'),
      param('model_save_path', 'results/bayes_model.json'),
      param('alpha', 0.3),
      param('none'),
      param('no_owner', 'datasets/plain'),
      param('elsewhere', 'data/datasets/mo-x'),
      param('absolute', '/datasets/mo-x'),
      param('up', '../datasets/mo-x')
    ]),
    ['mo-text_zh_en', 'mo-mnist']
  );
  assert.deepEqual(datasetFolders([]), []);
});

test('a folder stands for one id per dash', () => {
  assert.deepEqual(datasetIdsOf('mo-text_zh_en'), ['mo/text_zh_en']);
  assert.deepEqual(datasetIdsOf('ann-lee-cats-v2'), [
    'ann/lee-cats-v2',
    'ann-lee/cats-v2',
    'ann-lee-cats/v2'
  ]);
  assert.deepEqual(datasetIdsOf('a-b-'), ['a/b-']);
  assert.deepEqual(datasetIdsOf('nodash'), []);
});

test('the test page opens in the UI language', () => {
  assert.equal(testPageLang('zh-CN'), 'zh_CN');
  assert.equal(testPageLang('zh_CN'), 'zh_CN');
  assert.equal(testPageLang('zh'), 'zh_CN');
  assert.equal(testPageLang('en'), 'en');
  assert.equal(testPageLang('fr-FR'), 'en');
  assert.equal(testPageLang(undefined), 'en');
  const proxy = { proxy: 'mo/api/services/a-dev/proxy/' };
  assert.equal(
    testPageAddress('/base/', proxy, 'k', 'zh_CN'),
    '/base/mo/api/services/a-dev/proxy/?lang=zh_CN#key=k'
  );
  assert.equal(
    testPageAddress('/', proxy, null, 'en'),
    '/mo/api/services/a-dev/proxy/?lang=en'
  );
  assert.equal(
    testPageAddress('/', proxy, 'k'),
    '/mo/api/services/a-dev/proxy/#key=k'
  );
});
