// Unit tests of the Metrics tab's x-axis choice and idle legend values.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { autoXAxis, effectiveXAxis, legendValue } from '../src/metrics/xaxis';

const c = (points: number, withStep: number, withEpoch: number) => ({
  points,
  withStep,
  withEpoch
});

test('auto picks step when every point has one (10,000 lines in 0.25 s)', () => {
  assert.equal(autoXAxis(c(10000, 10000, 0)), 'step');
  assert.equal(autoXAxis(c(10000, 10000, 10000)), 'step');
});

test('auto picks epoch when every point has one but not a step', () => {
  assert.equal(autoXAxis(c(5, 0, 5)), 'epoch');
  assert.equal(autoXAxis(c(5, 2, 5)), 'epoch');
});

test('auto picks the key some points carry, else time', () => {
  assert.equal(autoXAxis(c(5, 2, 1)), 'step');
  assert.equal(autoXAxis(c(5, 0, 1)), 'epoch');
  assert.equal(autoXAxis(c(5, 0, 0)), 'time');
  assert.equal(autoXAxis(c(0, 0, 0)), 'time');
});

test('an explicit setting (or choice) wins over the data', () => {
  assert.equal(effectiveXAxis('time', c(10, 10, 10)), 'time');
  assert.equal(effectiveXAxis('epoch', c(10, 10, 0)), 'epoch');
  assert.equal(effectiveXAxis('auto', c(10, 10, 0)), 'step');
  assert.equal(effectiveXAxis(undefined, c(10, 0, 10)), 'epoch');
  assert.equal(effectiveXAxis('bogus', c(10, 0, 0)), 'time');
});

test('the idle legend shows the last value, never "-"', () => {
  const f = (v: number) => v.toFixed(1);
  assert.equal(legendValue(2, [1, 2, 3], f), '2.0', 'hovered value');
  assert.equal(legendValue(null, [1, 2, 3], f), '3.0', 'idle: last value');
  assert.equal(legendValue(null, [1, 2, null], f), '2.0', 'skips a gap');
  assert.equal(legendValue(undefined, [], f), '', 'no data: nothing');
  assert.equal(legendValue(null, undefined, f), '');
});
