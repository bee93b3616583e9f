// Unit tests of the New module form's values: the class name shown as a
// hint, defaults typed after their parameter's type, and the request body
// (catalog_requests#module_new) the form sends.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  className,
  initialValues,
  toForm,
  typedDefault
} from '../src/catalog/newmodulevalues';

test('the class name is the CamelCase of the module name', () => {
  assert.equal(className('iris_classifier'), 'IrisClassifier');
  assert.equal(className('wc'), 'Wc');
  assert.equal(className('a__b_'), 'AB');
  assert.equal(className(''), 'Module');
});

test('defaults are typed after their parameter', () => {
  assert.equal(typedDefault('', 'int'), undefined);
  assert.equal(typedDefault('  ', 'str'), undefined);
  assert.equal(typedDefault('3', 'int'), 3);
  assert.equal(typedDefault('0.5', 'float'), 0.5);
  assert.equal(typedDefault('three', 'int'), 'three'); // the server says what is wrong
  assert.equal(typedDefault('true', 'bool'), true);
  assert.equal(typedDefault('false', 'bool'), false);
  assert.equal(typedDefault('yes', 'bool'), 'yes');
  assert.deepEqual(typedDefault('[1, 2]', '[int]'), [1, 2]);
  assert.deepEqual(typedDefault('1, 2.5', '[float]'), [1, 2.5]);
  assert.deepEqual(typedDefault('a, b', '[str]'), ['a', 'b']);
  assert.equal(typedDefault(' a b ', 'str'), ' a b ');
  assert.equal(typedDefault('img.png', 'img'), 'img.png');
});

test('the request keeps the chosen actions, their named parameters, no train outputs', () => {
  const v = initialValues('work');
  v.name = ' wc ';
  v.actions = ['train', 'predict'];
  v.inputs.predict = [
    { name: 'text', value_type: 'str', default_value: 'hi' },
    { name: ' ', value_type: 'str', default_value: 'dropped' }
  ];
  v.inputs.train = [{ name: 'epochs', value_type: 'int', default_value: '2' }];
  v.inputs.run = [{ name: 'x', value_type: 'int', default_value: '1' }];
  v.outputs.predict = [{ name: 'n', value_type: 'int', default_value: '9' }];
  v.outputs.train = [{ name: 'never', value_type: 'int', default_value: '' }];
  const form = toForm(v);
  assert.equal(form.name, 'wc');
  assert.equal(form.folder, 'work');
  assert.deepEqual(form.actions, ['predict', 'train']);
  assert.deepEqual(form.inputs, {
    predict: [{ name: 'text', value_type: 'str', default_value: 'hi' }],
    train: [{ name: 'epochs', value_type: 'int', default_value: 2 }]
  });
  assert.deepEqual(form.outputs, {
    predict: [{ name: 'n', value_type: 'int' }]
  });
});
