// Unit tests of the Models views' pure helpers: ordering of models and
// versions, keys and command arguments, names, and the rows of the lineage,
// conf and final-metrics tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { IModelGroup, IModelRecord } from '../src/models/api';
import {
  argsKey,
  chartPoints,
  confRows,
  copiedFrom,
  defaultModelName,
  downloadName,
  formatValue,
  frameworkLabel,
  jobFactRows,
  metricRows,
  modelKey,
  modelTabId,
  parseModelKey,
  shortSha,
  sortModels,
  sortVersions,
  versionFacts,
  versioned
} from '../src/models/format';

// a TranslationBundle stand-in: gettext's %1 substitution, no translation
const trans = {
  __: (s: string, ...args: unknown[]) =>
    s.replace(/%(\d)/g, (_, i) => String(args[Number(i) - 1]))
};

function record(
  name: string,
  version: number,
  created: number,
  extra: Partial<IModelRecord> = {}
): IModelRecord {
  return {
    name,
    version,
    id: `${name}:${version}`,
    framework: 'numpy',
    files: [{ path: 'model.npz', size: 10, sha256: 'a'.repeat(64) }],
    size: 10,
    created,
    source: 'job',
    lineage: {
      job: null,
      task: null,
      module: null,
      datasets: [],
      conf: null,
      metrics: {}
    },
    ...extra
  };
}

test('versions: the highest number first, however the server ordered them', () => {
  const sorted = sortVersions([
    record('m', 2, 20),
    record('m', 10, 30),
    record('m', 1, 10)
  ]);
  assert.deepEqual(
    sorted.map(v => v.version),
    [10, 2, 1]
  );
});

test('models: the one trained last on top, then by name; empty ones left out', () => {
  const groups: IModelGroup[] = [
    { name: 'b', versions: [record('b', 1, 100)] },
    { name: 'a', versions: [record('a', 1, 100)] },
    { name: 'old', versions: [record('old', 1, 5), record('old', 2, 50)] },
    { name: 'new', versions: [record('new', 1, 500)] },
    { name: 'none', versions: [] }
  ];
  const sorted = sortModels(groups);
  assert.deepEqual(
    sorted.map(g => g.name),
    ['new', 'a', 'b', 'old']
  );
  assert.deepEqual(
    sorted[3].versions.map(v => v.version),
    [2, 1]
  );
  // the input is not changed
  assert.equal(groups[2].versions[0].version, 1);
});

test('keys: name:version both ways; a name may hold dots and colons', () => {
  assert.equal(modelKey('mnist_cnn', 3), 'mnist_cnn:3');
  assert.deepEqual(parseModelKey('mnist_cnn:3'), {
    name: 'mnist_cnn',
    version: 3
  });
  assert.deepEqual(parseModelKey('a:b.c:12'), { name: 'a:b.c', version: 12 });
  assert.equal(parseModelKey('no-version'), null);
  assert.equal(parseModelKey('x:v1'), null);
});

test('command arguments: {name, version}, a string version, or {id}', () => {
  assert.deepEqual(argsKey({ name: 'm', version: 2 }), {
    name: 'm',
    version: 2
  });
  assert.deepEqual(argsKey({ name: 'm', version: '7' }), {
    name: 'm',
    version: 7
  });
  assert.deepEqual(argsKey({ id: 'm:4' }), { name: 'm', version: 4 });
  assert.equal(argsKey({ name: 'm' }), null);
  assert.equal(argsKey({ name: 'm', version: 0 }), null);
  assert.equal(argsKey({ name: 'm', version: 'x' }), null);
  assert.equal(argsKey({}), null);
});

test('tab ids and download names', () => {
  assert.equal(modelTabId('my.model', 2), 'mo-model-my_model-2');
  assert.equal(downloadName('bayes', 3), 'bayes-3.zip');
});

test('the default name of a registered file is its stem in the allowed characters', () => {
  assert.equal(defaultModelName('proj/results/my model.keras'), 'my_model');
  assert.equal(defaultModelName('weights.tar.gz'), 'weights.tar');
  assert.equal(defaultModelName('_hidden.pt'), 'hidden');
  assert.equal(defaultModelName('results/模型.onnx'), '');
  assert.match(
    defaultModelName('a/b/c-1_2.npz'),
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
  );
});

test('sha256 short; frameworks named as their projects write them', () => {
  assert.equal(shortSha('0123456789abcdef'.repeat(4)), '0123456789ab');
  assert.equal(shortSha(null), '');
  assert.equal(frameworkLabel(trans, 'sklearn'), 'scikit-learn');
  assert.equal(frameworkLabel(trans, 'pytorch'), 'PyTorch');
  assert.equal(frameworkLabel(trans, 'unknown'), 'unknown');
  assert.equal(frameworkLabel(trans, 'something'), 'unknown');
});

test('values: numbers short, strings as they are, the rest as JSON', () => {
  assert.equal(formatValue(0.123456789), '0.123457');
  assert.equal(formatValue(42), '42');
  assert.equal(formatValue(Infinity), 'Infinity');
  assert.equal(formatValue('adam'), 'adam');
  assert.equal(formatValue([1, 2]), '[1,2]');
  assert.equal(formatValue(true), 'true');
  assert.equal(formatValue(null), '');
});

test('final metrics: one row per metric by name, last / best / points', () => {
  const rows = metricRows({
    loss: { last: 0.25, best: 0.2, steps: 10 },
    accuracy: { last: 0.9, best: 0.95, steps: 10 },
    note: { last: 'done' }
  });
  assert.deepEqual(rows, [
    { name: 'accuracy', last: '0.9', best: '0.95', steps: '10' },
    { name: 'loss', last: '0.25', best: '0.2', steps: '10' },
    { name: 'note', last: 'done', best: '', steps: '' }
  ]);
  assert.deepEqual(metricRows(null), []);
});

test('conf rows keep the conf order', () => {
  assert.deepEqual(confRows({ epochs: 2, data_path: 'd/x.npz', lr: 0.001 }), [
    ['epochs', '2'],
    ['data_path', 'd/x.npz'],
    ['lr', '0.001']
  ]);
  assert.deepEqual(confRows(null), []);
});

test("lineage: versioned ids, the job's recorded facts without empty rows", () => {
  assert.equal(
    versioned({ id: 'mo/mnist', version: '1.0.0' }),
    'mo/mnist@1.0.0'
  );
  assert.equal(versioned({ id: 'mo/mnist', version: null }), 'mo/mnist');
  const rows = jobFactRows(
    trans,
    {
      id: 'job-1',
      name: 'train',
      path: 'proj/train.py',
      code_sha256: 'f'.repeat(64),
      args: ['--epochs', '2'],
      env_keys: ['SEED'],
      backend: 'local',
      machine: 'cpu',
      state: 'completed',
      ended: null
    },
    () => ''
  );
  assert.deepEqual(rows, [
    ['Environment variables', 'SEED'],
    ['Backend', 'local'],
    ['Machine', 'cpu'],
    ['State', 'completed']
  ]);
});

test('copied from: the file, or the folder that held the files', () => {
  const f = (path: string, source?: string) => ({
    path,
    size: 1,
    sha256: '',
    source
  });
  assert.equal(
    copiedFrom([f('model.npz', 'proj/results/model.npz')]),
    'proj/results/model.npz'
  );
  assert.equal(
    copiedFrom([
      f('a.bin', 'p/results/a.bin'),
      f('sub/b.bin', 'p/results/sub/b.bin')
    ]),
    'p/results'
  );
  assert.equal(copiedFrom([f('a.bin', 'x/a.bin'), f('b.bin', 'y/b.bin')]), '');
  assert.equal(copiedFrom([f('a.bin'), f('b.bin')]), '');
  assert.equal(copiedFrom([]), '');
});

test("a version's sidebar line: framework, size, date", () => {
  const line = versionFacts(
    trans,
    record('m', 1, 0, { framework: 'keras', size: 2048 }),
    n => `${n} B`,
    () => 'today'
  );
  assert.equal(line, 'Keras · 2048 B · today');
});

test('charts: metrics with two plotted points or more; single values and text stay in the table', () => {
  const m = (
    metric: string,
    value: unknown,
    seq: number,
    nonfinite?: 'NaN'
  ) => ({
    metric,
    value,
    time: seq,
    seq,
    ...(nonfinite ? { nonfinite } : {})
  });
  const points = chartPoints([
    m('loss', 1, 1),
    m('accuracy', 0.9, 2),
    m('loss', 0.5, 3),
    m('note', 'x', 4),
    m('note', 'y', 5),
    m('gap', null, 6, 'NaN'),
    m('gap', 1, 7)
  ]);
  assert.deepEqual(
    points.map(p => `${p.metric}:${p.seq}`),
    ['loss:1', 'loss:3', 'gap:6', 'gap:7']
  );
});
