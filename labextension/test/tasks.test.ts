// Unit tests of the New Training Task wizard's pure parts: the parameters
// form read and validated with the generated schema, the default task name,
// the split choices and the ratio.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  IParamsSchema,
  checkValue,
  initialRaw,
  paramNames,
  parseRaw,
  readParams,
  toRaw,
  validateParams
} from '../src/tasks/validate';
import {
  defaultTaskName,
  initialSplit,
  parseRatio,
  percent,
  projectOfTaskFolder,
  splitChoices,
  splitRequest,
  taskRequest
} from '../src/tasks/values';

// what GET mo/api/tasks/form makes of text_classifier_bayes (+ an int, an enum,
// a bool and a list to cover every keyword the generator writes)
const SCHEMA: IParamsSchema = {
  type: 'object',
  properties: {
    alpha: {
      type: 'number',
      default: 0.3,
      minimum: 0.01,
      maximum: 10,
      description: 'smoothing'
    },
    epochs: { type: 'integer', default: 2, minimum: 1, maximum: 100 },
    optimizer: { type: 'string', enum: ['adam', 'sgd'], default: 'adam' },
    shuffle: { type: 'boolean', default: true },
    layers: { type: 'array', items: { type: 'integer' }, default: [64, 32] },
    note: { type: 'string' }
  },
  required: ['alpha', 'epochs']
};

test('params: the defaults fill the form and are valid', () => {
  const raw = initialRaw(SCHEMA);
  assert.deepEqual(raw, {
    alpha: '0.3',
    epochs: '2',
    optimizer: '"adam"',
    shuffle: true,
    layers: '64, 32',
    note: ''
  });
  const { values, problems } = readParams(SCHEMA, raw);
  assert.deepEqual(problems, {});
  assert.deepEqual(values, {
    alpha: 0.3,
    epochs: 2,
    optimizer: 'adam',
    shuffle: true,
    layers: [64, 32],
    note: ''
  });
});

test('params: the values given (a draft) win over the defaults', () => {
  const raw = initialRaw(SCHEMA, { alpha: 0.5, shuffle: false, layers: [8] });
  assert.equal(raw.alpha, '0.5');
  assert.equal(raw.shuffle, false);
  assert.equal(raw.layers, '8');
  assert.equal(raw.epochs, '2');
});

test('params: out of range, wrong type, missing and bad items are refused, per field', () => {
  const raw = {
    ...initialRaw(SCHEMA),
    alpha: '99',
    epochs: '1.5',
    layers: '64, x'
  };
  const { problems, values } = readParams(SCHEMA, raw);
  assert.deepEqual(problems.alpha, { kind: 'maximum', limit: 10 });
  assert.deepEqual(problems.epochs, { kind: 'type', type: 'integer' });
  assert.deepEqual(problems.layers, { kind: 'type', type: 'integer', item: 1 });
  assert.equal(values.alpha, 99);
  assert.equal('epochs' in values, false);

  const low = readParams(SCHEMA, { ...initialRaw(SCHEMA), alpha: '0' });
  assert.deepEqual(low.problems, { alpha: { kind: 'minimum', limit: 0.01 } });
  // an empty required number is missing; an empty optional one is omitted
  const empty = readParams(SCHEMA, { ...initialRaw(SCHEMA), alpha: ' ' });
  assert.deepEqual(empty.problems, { alpha: { kind: 'required' } });
  const fine = readParams(SCHEMA, { ...initialRaw(SCHEMA), alpha: '0.5' });
  assert.deepEqual(fine.problems, {});
  assert.equal(fine.values.alpha, 0.5);
});

test('params: numbers are read strictly', () => {
  const num = { type: 'number' as const };
  assert.deepEqual(parseRaw(num, '1e-3'), { value: 0.001 });
  assert.deepEqual(parseRaw(num, '.5'), { value: 0.5 });
  assert.deepEqual(parseRaw(num, '-2'), { value: -2 });
  for (const bad of ['0x10', '1,5', 'abc', '1.2.3', 'Infinity', 'NaN']) {
    assert.deepEqual(parseRaw(num, bad), {
      problem: { kind: 'type', type: 'number' }
    });
  }
  assert.deepEqual(parseRaw({ type: 'integer' }, '7'), { value: 7 });
  assert.deepEqual(parseRaw({ type: 'integer' }, ''), {});
  assert.deepEqual(parseRaw({ type: 'string' }, ' a b '), { value: ' a b ' });
});

test('params: the validator alone checks types, enum, range and required', () => {
  assert.deepEqual(validateParams(SCHEMA, { epochs: 3 }), {
    alpha: { kind: 'required' }
  });
  assert.deepEqual(
    validateParams(SCHEMA, { alpha: '0.5', epochs: 3, optimizer: 'rmsprop' }),
    {
      alpha: { kind: 'type', type: 'number' },
      optimizer: { kind: 'enum', values: ['adam', 'sgd'] }
    }
  );
  assert.equal(checkValue({ type: 'integer' }, 2.5)?.kind, 'type');
  assert.equal(checkValue({ type: 'boolean' }, 'true')?.kind, 'type');
  assert.equal(checkValue({ type: 'number', maximum: 1 }, 1), null);
  assert.deepEqual(
    checkValue(
      { type: 'array', items: { type: 'number', minimum: 0 } },
      [1, -1]
    ),
    { kind: 'minimum', limit: 0, item: 1 }
  );
  assert.deepEqual(checkValue({ type: 'string', maxLength: 3 }, 'abcd'), {
    kind: 'maxLength',
    limit: 3
  });
  assert.equal(checkValue({ type: 'string', maxLength: 3 }, '数字三'), null);
  // a numeric enum (a value_range of more than two values)
  const choice = { type: 'integer' as const, enum: [16, 32, 64] };
  assert.equal(toRaw(choice, 32), '32');
  assert.deepEqual(parseRaw(choice, '32'), { value: 32 });
  assert.equal(checkValue(choice, 48)?.kind, 'enum');
});

test('params: form order is params_order, then the rest', () => {
  assert.deepEqual(paramNames(SCHEMA, ['epochs', 'gone', 'alpha']), [
    'epochs',
    'alpha',
    'optimizer',
    'shuffle',
    'layers',
    'note'
  ]);
  assert.deepEqual(paramNames({ properties: {} }), []);
});

test('default name: module name and dataset name', () => {
  assert.equal(
    defaultTaskName('mo/text_classifier_bayes', 'mo/text_zh_en'),
    'text_classifier_bayes-text_zh_en'
  );
  assert.equal(defaultTaskName('mo/mnist_cnn@1.0.0', ''), 'mnist_cnn');
  assert.equal(defaultTaskName('', ''), '');
  assert.ok(
    defaultTaskName('a/' + 'x'.repeat(90), 'b/' + 'y'.repeat(90)).length <= 100
  );
});

test('a clone is made in the project of its task', () => {
  assert.equal(projectOfTaskFolder('proj/tasks/bayes-0-8'), 'proj');
  assert.equal(projectOfTaskFolder('a/b/tasks/x'), 'a/b');
  assert.equal(projectOfTaskFolder('tasks/x'), '');
  assert.equal(projectOfTaskFolder('odd'), '');
});

const TEXT = {
  id: 'mo/text_zh_en',
  owner: 'mo',
  name: 'text_zh_en',
  version: '1.0.0',
  test_set: 0.8,
  splits: ['dataset', 'ratio'] as ('dataset' | 'ratio' | 'independent')[]
};

test('split choices: the allowed kinds, the dataset share on its own', () => {
  assert.deepEqual(splitChoices(TEXT), [
    { kind: 'dataset', share: 0.8 },
    { kind: 'ratio' }
  ]);
  assert.deepEqual(
    splitChoices({ ...TEXT, test_set: 'independent', splits: ['independent'] }),
    [{ kind: 'independent' }]
  );
  assert.deepEqual(splitChoices(null), []);
  assert.equal(percent(0.8), '80');
  assert.equal(percent(0.125), '12.5');
});

test('split: the first allowed kind, or the draft one; the ratio from the draft or the dataset', () => {
  assert.deepEqual(initialSplit(TEXT), { kind: 'dataset', ratio: '0.8' });
  assert.deepEqual(initialSplit(TEXT, { kind: 'ratio', ratio: 0.6 }), {
    kind: 'ratio',
    ratio: '0.6'
  });
  // a kind this dataset does not allow falls back to the first it does
  assert.deepEqual(initialSplit(TEXT, { kind: 'independent' }), {
    kind: 'dataset',
    ratio: '0.8'
  });
  assert.deepEqual(
    initialSplit({ ...TEXT, test_set: null, splits: ['ratio'] }),
    {
      kind: 'ratio',
      ratio: '0.8'
    }
  );
});

test('split: a ratio is 0 < r <= 1', () => {
  assert.equal(parseRatio('0.8'), 0.8);
  assert.equal(parseRatio('1'), 1);
  assert.equal(parseRatio(' .5 '), 0.5);
  for (const bad of ['0', '1.01', '-0.5', '', 'abc', '80%']) {
    assert.equal(parseRatio(bad), null, bad);
  }
  assert.deepEqual(splitRequest('ratio', '0.8'), { kind: 'ratio', ratio: 0.8 });
  assert.equal(splitRequest('ratio', '2'), null);
  assert.deepEqual(splitRequest('dataset', 'junk'), { kind: 'dataset' });
  assert.equal(splitRequest('', '0.8'), null);
});

test('request: the wizard values as the POST body', () => {
  const body = taskRequest(
    {
      purpose: 'text_classification',
      module: 'mo/text_classifier_bayes',
      dataset: 'mo/text_zh_en',
      split: { kind: 'ratio', ratio: 0.8 },
      params: { alpha: 0.5 },
      backend: 'local',
      machine: 'cpu',
      maxRunSeconds: null,
      name: ' bayes ',
      description: ''
    },
    false
  );
  assert.deepEqual(body, {
    name: 'bayes',
    description: '',
    purpose: 'text_classification',
    module: 'mo/text_classifier_bayes',
    dataset: 'mo/text_zh_en',
    split: { kind: 'ratio', ratio: 0.8 },
    params: { alpha: 0.5 },
    backend: 'local',
    machine: 'cpu',
    max_run_seconds: null, // no limit: an edited draft loses the one it had
    start: false
  });
});
