// Unit tests of metric storage and downsampling (what the charts draw).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IMetric } from '../src/api';
import { MetricSeries, buildPlotData } from '../src/metrics/series';

function series(points: Partial<IMetric>[]): MetricSeries {
  const s = new MetricSeries('m');
  points.forEach((p, seq) =>
    s.push({ metric: 'm', value: 0, time: seq, seq, ...p })
  );
  return s;
}

test('plots every point when few, with null for non-finite values', () => {
  const s = series([
    { value: 1, step: 0 },
    { value: null, nonfinite: 'NaN', step: 1 },
    { value: null, nonfinite: 'Infinity', step: 2 },
    { value: 4, step: 3 }
  ]);
  const d = buildPlotData(s, 'step', 100);
  assert.deepEqual(d.x, [0, 1, 2, 3]);
  assert.deepEqual(d.y, [1, null, null, 4]);
  assert.equal(d.count, 4);
});

test('points lacking the x key are left out', () => {
  const s = series([
    { value: 1, step: 5 },
    { value: 2 },
    { value: 3, step: 7, epoch: 1 }
  ]);
  assert.deepEqual(buildPlotData(s, 'step', 100).x, [5, 7]);
  assert.deepEqual(buildPlotData(s, 'epoch', 100).y, [3]);
  assert.equal(buildPlotData(s, 'time', 100).count, 3);
});

test('unsorted x is sorted (stable) before plotting, also after appends', () => {
  const s = series([
    { value: 1, step: 2 },
    { value: 2, step: 0 },
    { value: 3, step: 1 }
  ]);
  assert.deepEqual(buildPlotData(s, 'step', 100).y, [2, 3, 1]);
  s.push({ metric: 'm', value: 4, time: 9, step: 0, seq: 9 });
  assert.deepEqual(buildPlotData(s, 'step', 100).y, [2, 4, 3, 1]);
});

function big(n: number, spikeAt: number, gapAt: number): MetricSeries {
  const s = new MetricSeries('big');
  for (let i = 0; i < n; i++) {
    const m: IMetric = {
      metric: 'big',
      value: Math.sin(i / 5000),
      time: i / 100,
      step: i,
      seq: i
    };
    if (i === spikeAt) {
      m.value = 1000;
    }
    if (i === gapAt) {
      m.value = null;
      m.nonfinite = 'NaN';
    }
    s.push(m);
  }
  return s;
}

test('1M points downsample to a few per pixel, keeping spikes and gaps', () => {
  const n = 1_000_000;
  const s = big(n, 123_457, 654_321);
  const t0 = Date.now();
  const d = buildPlotData(s, 'step', 800);
  const ms = Date.now() - t0;
  assert.equal(d.count, n);
  assert.ok(d.x.length <= 800 * 5, `too many points: ${d.x.length}`);
  assert.ok(d.x.length >= 800, `too few points: ${d.x.length}`);
  assert.ok(d.y.includes(1000), 'spike lost');
  assert.ok(d.y.includes(null), 'gap lost');
  for (let i = 1; i < d.x.length; i++) {
    assert.ok(d.x[i - 1] <= d.x[i], 'x not ascending');
  }
  assert.equal(d.x[0], 0);
  assert.equal(d.x[d.x.length - 1], n - 1);
  assert.ok(ms < 500, `too slow: ${ms} ms`);
});

test('zoom keeps full detail inside the range', () => {
  const s = big(100_000, -1, -1);
  const d = buildPlotData(s, 'step', 500, [50_000, 50_400]);
  const inside = d.x.filter(x => x >= 50_000 && x <= 50_400);
  assert.equal(inside.length, 401);
  assert.equal(d.x[0], 0);
  assert.equal(d.x[d.x.length - 1], 99_999);
});
