// Unit tests of the Compare tab's table (the rules of `jupyter mo job compare`).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IJob, IMetric } from '../src/api';
import {
  argFlags,
  compareTable,
  metricSummary,
  sortRows,
  toCSV
} from '../src/compare/table';

function job(id: string, extra: Partial<IJob> = {}): IJob {
  return {
    id,
    name: id,
    path: 'train.py',
    kind: 'python',
    args: [],
    env: {},
    machine: 'cpu',
    backend: 'local',
    state: 'completed',
    created: 0,
    started: 0,
    ended: 1,
    exit_code: 0,
    reason: null,
    command: [],
    peak_memory: null,
    ...extra
  };
}

function points(metric: string, values: (number | string)[]): IMetric[] {
  return values.map((value, seq) => ({ metric, value, time: seq, seq }));
}

test('best is the min for loss / error names, else the max; last is the last point', () => {
  const s = metricSummary([
    ...points('val_error', [0.5, 0.2, 0.4]),
    ...points('score', [3, 7, 5]),
    ...points('Train Loss', [0.3]),
    { metric: 'Train Loss', value: null, nonfinite: 'NaN', time: 9, seq: 9 },
    ...points('label', ['cat'])
  ]);
  assert.deepEqual(s.get('val_error'), { last: 0.4, best: 0.2 });
  assert.deepEqual(s.get('score'), { last: 5, best: 7 });
  assert.ok(Number.isNaN(s.get('Train Loss')!.last));
  assert.equal(s.get('Train Loss')!.best, 0.3);
  assert.deepEqual(Array.from(s.keys()), ['val_error', 'score', 'Train Loss']);
});

test('flags are read from the arguments', () => {
  assert.deepEqual(argFlags(['--a', '1', '--b=x y', '--c', '--d', '-5', 'p']), [
    ['--a', '1'],
    ['--b', 'x y'],
    ['--c', 'true'],
    ['--d', '-5']
  ]);
});

const A = job('a', {
  args: ['--lr', '0.1', '--epochs', '5'],
  env: { SEED: '1' }
});
const B = job('b', {
  args: ['--lr', '0.2', '--epochs', '5'],
  env: { SEED: '1' },
  task: {
    id: 'task-b',
    name: 'b task',
    module: { id: 'mo/text_classifier_bayes', version: '1.0.0' },
    datasets: [{ id: 'mo/text_zh_en', version: '1.0.0' }],
    conf: { alpha: 0.3, epochs: 5 }
  }
});
const METRICS = {
  a: [...points('loss', [1, 0.5, 0.25]), ...points('acc', [0.5, 0.9, 0.8])],
  b: [...points('loss', [1, 0.2, 0.3]), ...points('acc', [0.6, 0.7])]
};

test('the table: parameters, differing ones marked, then last and best per metric', () => {
  const t = compareTable([A, B], METRICS);
  const keys = t.columns.map(c => c.key);
  assert.deepEqual(keys, [
    'id',
    'name',
    'backend',
    'machine',
    'args',
    'arg:--lr',
    'arg:--epochs',
    'env:SEED',
    'task',
    'module',
    'datasets',
    'conf:alpha',
    'conf:epochs',
    'metric:loss:last',
    'metric:loss:best',
    'metric:acc:last',
    'metric:acc:best'
  ]);
  const differs = t.columns.filter(c => c.differs).map(c => c.key);
  assert.deepEqual(differs, [
    'args',
    'arg:--lr',
    'task',
    'module',
    'datasets',
    'conf:alpha',
    'conf:epochs'
  ]);
  const [ra, rb] = t.rows;
  assert.equal(ra.values['args'], '--lr 0.1 --epochs 5');
  assert.equal(rb.values['module'], 'mo/text_classifier_bayes@1.0.0');
  assert.equal(ra.values['module'], null);
  assert.equal(rb.values['conf:alpha'], '0.3');
  assert.equal(ra.values['metric:loss:best'], 0.25);
  assert.equal(rb.values['metric:loss:best'], 0.2);
  assert.equal(rb.values['metric:loss:last'], 0.3);
  assert.equal(ra.values['metric:acc:best'], 0.9);
});

test('sorting: numbers by value, empty cells last both ways', () => {
  const t = compareTable([A, B, job('c')], METRICS);
  const ids = (key: string, desc = false) =>
    sortRows(t.rows, key, desc).map(r => r.id);
  assert.deepEqual(ids('metric:loss:best'), ['b', 'a', 'c']);
  assert.deepEqual(ids('metric:loss:best', true), ['a', 'b', 'c']);
  assert.deepEqual(ids('arg:--lr', true), ['b', 'a', 'c']);
  assert.deepEqual(ids('id', true), ['c', 'b', 'a']);
});

test('CSV: a header and a row per job, quoted where needed', () => {
  const t = compareTable([job('a', { args: ['--msg', 'a, "b"'] }), job('b')], {
    a: points('loss', [0.5])
  });
  const lines = toCSV(t).split('\r\n');
  assert.equal(
    lines[0],
    'id,name,backend,machine,args,--msg,loss last,loss best'
  );
  const quoted = '"--msg \'a, ""b""\'","a, ""b"""';
  assert.equal(lines[1], `a,a,local,cpu,${quoted},0.5,0.5`);
  assert.equal(lines[2], 'b,b,local,cpu,,,,');
  assert.equal(lines[3], '');
});
