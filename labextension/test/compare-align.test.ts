// Unit tests of merging several jobs' series onto one x array (Compare charts).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PALETTE, alignSeries, seriesStyle } from '../src/compare/align';

test('series meet on shared x values; missing points are undefined, gaps stay null', () => {
  const data = alignSeries([
    { x: [0, 1, 2], y: [1, null, 3] },
    { x: [1, 2, 4], y: [10, 20, 40] }
  ]);
  assert.deepEqual(data[0], [0, 1, 2, 4]);
  assert.deepEqual(Array.from(data[1]), [1, null, 3, undefined]);
  assert.deepEqual(Array.from(data[2]), [undefined, 10, 20, 40]);
});

test("a series' repeated x values keep their own rows (spikes are not lost)", () => {
  const data = alignSeries([
    { x: [0, 0, 0, 1], y: [5, 1, 9, 2] },
    { x: [0, 1], y: [7, 8] }
  ]);
  assert.deepEqual(data[0], [0, 0, 0, 1]);
  assert.deepEqual(Array.from(data[1]), [5, 1, 9, 2]);
  assert.deepEqual(Array.from(data[2]), [7, undefined, undefined, 8]);
});

test('empty series and no series', () => {
  assert.deepEqual(alignSeries([]), [[]]);
  const data = alignSeries([
    { x: [], y: [] },
    { x: [3], y: [1] }
  ]);
  assert.deepEqual(data[0], [3]);
  assert.equal(data[1].length, 1);
});

test('colours: the palette, dashed once it wraps', () => {
  assert.equal(seriesStyle(0).stroke, PALETTE[0]);
  assert.equal(seriesStyle(0).dash, undefined);
  assert.deepEqual(seriesStyle(PALETTE.length + 1), {
    stroke: PALETTE[1],
    dash: [6, 3]
  });
});
