// Unit tests of the wizard's flow rules (issue 10): code errors stop the user on
// the step where they are found, a "start on step N" request stops there too,
// the user's file ticks survive a new scan, and the Launcher's file pick.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { IProblem } from '../src/deploy/api';
import { applyTicks, fileChoices } from '../src/deploy/files';
import { IGateState, canGoOn, reachableStep } from '../src/deploy/gates';
import { codeErrors } from '../src/deploy/spec';
import { selectedPath } from '../src/selection';

const problem = (
  message: string,
  severity: 'error' | 'warning' = 'error',
  cell: number | null = null
): IProblem => ({ severity, message, cell, line: 1 });

const OK: IGateState = {
  scanned: true,
  loading: false,
  selected: [2],
  cellErrors: [],
  handler: 'def handle(conf):\n    return {}\n',
  handlerPending: false,
  handlerErrors: [],
  blocking: 0
};

test('codeErrors: syntax, handle count and no-handle errors; not rows, warnings or the spec check', () => {
  const problems = [
    problem(
      '2 def handle in the selected cells (cell 3 line 1, cell 4 line 1); keep one',
      'error',
      3
    ),
    problem("syntax error: '(' was never closed", 'error', 4),
    problem('no def handle(conf) in the selected cells'),
    problem("input 'x': no value_type comment", 'error', 2),
    problem("magic line '%matplotlib' does not run", 'warning', 1),
    problem('the spec does not validate: bad')
  ];
  assert.deepEqual(
    codeErrors(problems).map(p => p.message.slice(0, 12)),
    ['2 def handle', 'syntax error', 'no def handl']
  );
});

test('canGoOn: each step is closed by its own errors only', () => {
  assert.equal(canGoOn(0, OK), true);
  assert.equal(
    canGoOn(0, { ...OK, cellErrors: [problem('syntax error: x')] }),
    false
  );
  assert.equal(canGoOn(0, { ...OK, selected: [] }), false);
  assert.equal(canGoOn(0, { ...OK, loading: true }), false);
  assert.equal(canGoOn(0, { ...OK, scanned: false }), false);
  // an edited handler.py: closed while its scan is out and while it has errors
  assert.equal(canGoOn(1, { ...OK, handlerPending: true }), false);
  assert.equal(
    canGoOn(1, {
      ...OK,
      handlerErrors: [problem('2 def handle in handler.py')]
    }),
    false
  );
  assert.equal(canGoOn(1, { ...OK, handler: '  \n' }), false);
  assert.equal(canGoOn(1, OK), true);
  assert.equal(canGoOn(2, { ...OK, blocking: 1 }), false);
  assert.equal(canGoOn(2, { ...OK, handlerPending: true }), false);
  assert.equal(canGoOn(2, OK), true);
  assert.equal(canGoOn(3, OK), false, 'the last step has no Next');
});

test('reachableStep: a jump stops on the first step whose Next is closed', () => {
  assert.equal(reachableStep(3, OK), 3);
  assert.equal(reachableStep(1, OK), 1);
  assert.equal(
    reachableStep(3, { ...OK, cellErrors: [problem('no def handle(conf)')] }),
    0
  );
  assert.equal(reachableStep(3, { ...OK, blocking: 2 }), 2);
  assert.equal(reachableStep(3, { ...OK, selected: [] }), 0);
});

test('applyTicks: the user ticks win over a new scan, new reads come checked', () => {
  const top = [
    { name: 'modules', dir: true },
    { name: 'notes.txt', dir: false }
  ];
  const results = [
    { name: 'my_model.keras', dir: false },
    { name: 'other.bin', dir: false }
  ];
  const ticks = new Map([
    ['notes.txt', true],
    ['modules/', false]
  ]);
  // the generated handler reads my_model.keras; the edited one reads other.bin
  const before = applyTicks(
    fileChoices(top, results, ['results/my_model.keras']),
    ticks
  );
  const after = applyTicks(
    fileChoices(top, results, ['results/other.bin']),
    ticks
  );
  const checked = (cs: { path: string; checked: boolean }[]) =>
    cs
      .filter(c => c.checked)
      .map(c => c.path)
      .sort();
  assert.deepEqual(checked(before), ['notes.txt', 'results/my_model.keras']);
  assert.deepEqual(checked(after), ['notes.txt', 'results/other.bin']);
});

test('selectedPath: the first selected file that fits, else nothing', () => {
  const items = (...xs: [string, string][]) =>
    xs.map(([path, type]) => ({ path, type }));
  assert.equal(
    selectedPath(items(['a/train.py', 'file']), /\.(py|ipynb)$/),
    'a/train.py'
  );
  assert.equal(
    selectedPath(items(['a/nb.ipynb', 'notebook']), /\.ipynb$/),
    'a/nb.ipynb'
  );
  assert.equal(
    selectedPath(items(['a/data.csv', 'file'], ['b.py', 'file']), /\.py$/),
    ''
  );
  assert.equal(selectedPath(items(['x.py', 'directory']), /\.py$/), '');
  assert.equal(selectedPath([], /\.py$/), '');
});
