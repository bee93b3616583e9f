/**
 * Storage for one numeric metric, in growable typed arrays (appending is
 * O(1) amortised), and min/max-per-bucket downsampling into uPlot data.
 *
 * Missing x keys (a point with no `step`, say) are NaN in the x arrays and
 * such points are left out when that key is the x axis. Non-finite values
 * are NaN in `value` and become `null` in the output: a gap in the line.
 */
import { IMetric } from '../api';
import { XAxisKey } from '../tokens';
import { BLOCK, KeyIndex, SHIFT } from './keyindex';

export { KeyIndex } from './keyindex';

export class MetricSeries {
  /**
   * `source`: where the points come from (`mo`: a JSON metric line; `keras`,
   * `huggingface`, `lightning`: what they print; `tensorboard`: event files).
   */
  constructor(
    readonly name: string,
    readonly source = 'mo'
  ) {}

  get length(): number {
    return this._n;
  }

  /** Bumped on every append; lets the chart skip redraws. */
  get version(): number {
    return this._version;
  }

  /** Append a numeric (or non-finite) point. */
  push(m: IMetric): void {
    if (this._n === this._cap) {
      this._grow();
    }
    const i = this._n++;
    this._time[i] = typeof m.time === 'number' ? m.time : NaN;
    this._step[i] = typeof m.step === 'number' ? m.step : NaN;
    this._epoch[i] = typeof m.epoch === 'number' ? m.epoch : NaN;
    const v = m.value;
    this._value[i] =
      m.nonfinite !== undefined || typeof v !== 'number' || !isFinite(v)
        ? NaN
        : v;
    const y = this._value[i];
    this._keys.time.push(i, this._time[i], y, this._value);
    this._keys.step.push(i, this._step[i], y, this._value);
    this._keys.epoch.push(i, this._epoch[i], y, this._value);
    this._version++;
  }

  /**
   * Append many numeric (or non-finite: null) points from columns, as
   * `push` would one by one, without an object per point.
   */
  pushColumns(
    time: ArrayLike<number>,
    value: ArrayLike<number | null>,
    step?: ArrayLike<number | null>,
    epoch?: ArrayLike<number | null>
  ): void {
    const n = value.length;
    while (this._cap < this._n + n) {
      this._grow();
    }
    const keys = this._keys;
    for (let k = 0; k < n; k++) {
      const i = this._n++;
      const t = time[k];
      const st = step ? step[k] : null;
      const ep = epoch ? epoch[k] : null;
      const v = value[k];
      this._time[i] = typeof t === 'number' ? t : NaN;
      this._step[i] = typeof st === 'number' ? st : NaN;
      this._epoch[i] = typeof ep === 'number' ? ep : NaN;
      const y = typeof v === 'number' && isFinite(v) ? v : NaN;
      this._value[i] = y;
      keys.time.push(i, this._time[i], y, this._value);
      keys.step.push(i, this._step[i], y, this._value);
      keys.epoch.push(i, this._epoch[i], y, this._value);
    }
    this._version++;
  }

  /** The points having `key`, in arrival order, with block aggregates. */
  index(key: XAxisKey): KeyIndex {
    return this._keys[key];
  }

  x(key: XAxisKey): Float64Array {
    const arr =
      key === 'step' ? this._step : key === 'epoch' ? this._epoch : this._time;
    return arr.subarray(0, this._n);
  }

  y(): Float64Array {
    return this._value.subarray(0, this._n);
  }

  private _grow(): void {
    this._cap *= 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(this._cap);
      b.set(a);
      return b;
    };
    this._time = grow(this._time);
    this._step = grow(this._step);
    this._epoch = grow(this._epoch);
    this._value = grow(this._value);
  }

  private _keys: { [K in XAxisKey]: KeyIndex } = {
    time: new KeyIndex(),
    step: new KeyIndex(),
    epoch: new KeyIndex()
  };
  private _n = 0;
  private _cap = 256;
  private _version = 0;
  private _time = new Float64Array(this._cap);
  private _step = new Float64Array(this._cap);
  private _epoch = new Float64Array(this._cap);
  private _value = new Float64Array(this._cap);
}

/** Chart-ready data: x ascending, y with null for gaps. */
export interface IPlotData {
  x: number[];
  y: (number | null)[];
  /** Source points with the chosen x key (before downsampling). */
  count: number;
  /** Range of x over all those points (NaN when none). */
  xMin: number;
  xMax: number;
}

/**
 * Build plot data for `key`. With more than ~4 points per bucket, each
 * bucket keeps its first, min, max and last points (in x order) plus its
 * first gap, so spikes and gaps stay visible. Whole blocks of 64 points
 * are merged from their aggregates when buckets hold many points.
 *
 * `zoom` [lo, hi]: spend `buckets` on that range and few on the rest.
 */
export function buildPlotData(
  series: MetricSeries,
  key: XAxisKey,
  buckets: number,
  zoom: [number, number] | null = null
): IPlotData {
  const K = series.index(key);
  const xs = series.x(key);
  const ys = series.y();
  const n = K.n;
  const out: IPlotData = { x: [], y: [], count: n, xMin: NaN, xMax: NaN };
  if (n === 0) {
    return out;
  }
  let order = K.idx;
  let blocks = true;
  if (!K.sorted) {
    // x goes back somewhere (e.g. step restarts): use an x-sorted order
    order = K.sortedOrder(xs);
    blocks = false;
  }
  const ctx: IAgg = { xs, ys, order, blocks, K, out };
  out.xMin = xs[order[0]];
  out.xMax = xs[order[n - 1]];
  if (n <= buckets * 4) {
    for (let k = 0; k < n; k++) {
      const i = order[k];
      out.x.push(xs[i]);
      out.y.push(ys[i] === ys[i] ? ys[i] : null);
    }
    return out;
  }
  if (zoom && zoom[0] > out.xMin && zoom[1] < out.xMax) {
    const side = Math.max(16, Math.floor(buckets / 8));
    const k0 = lowerBound(xs, order, n, zoom[0]);
    const k1 = upperBound(xs, order, n, zoom[1]);
    aggregate(ctx, 0, k0, side, out.xMin, zoom[0]);
    aggregate(ctx, k0, k1, buckets, zoom[0], zoom[1]);
    aggregate(ctx, k1, n, side, zoom[1], out.xMax);
  } else {
    aggregate(ctx, 0, n, buckets, out.xMin, out.xMax);
  }
  return out;
}

interface IAgg {
  xs: Float64Array;
  ys: Float64Array;
  order: Int32Array;
  blocks: boolean;
  K: KeyIndex;
  out: IPlotData;
}

/** First k with x >= v (order sorted by x). */
function lowerBound(
  xs: Float64Array,
  order: Int32Array,
  n: number,
  v: number
): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[order[mid]] < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** First k with x > v. */
function upperBound(
  xs: Float64Array,
  order: Int32Array,
  n: number,
  v: number
): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[order[mid]] <= v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** Downsample positions [k0, k1) of `order` into buckets over [x0, x1]. */
function aggregate(
  c: IAgg,
  k0: number,
  k1: number,
  buckets: number,
  x0: number,
  x1: number
): void {
  if (k1 <= k0) {
    return;
  }
  const { xs, ys, order, K, out } = c;
  const useBlocks = c.blocks && (k1 - k0) / buckets >= 4 * BLOCK;
  const width = (x1 - x0) / buckets || 1;
  let cur = -1;
  let first = -1;
  let last = -1;
  let min = -1;
  let max = -1;
  let gap = -1;
  let k = k0;
  while (k < k1) {
    const i = order[k];
    let b = Math.floor((xs[i] - x0) / width);
    b = b < 0 ? 0 : b >= buckets ? buckets - 1 : b;
    if (b !== cur) {
      emit(xs, ys, out, first, min, max, last, gap);
      cur = b;
      first = last = min = max = gap = -1;
    }
    if (first < 0) {
      first = i;
    }
    if (useBlocks && (k & (BLOCK - 1)) === 0 && k + BLOCK <= k1) {
      const blk = k >> SHIFT;
      const bMin = K.bMin[blk];
      const bMax = K.bMax[blk];
      if (bMin >= 0 && (min < 0 || ys[bMin] < ys[min])) {
        min = bMin;
      }
      if (bMax >= 0 && (max < 0 || ys[bMax] > ys[max])) {
        max = bMax;
      }
      if (gap < 0 && K.bGap[blk] >= 0) {
        gap = K.bGap[blk];
      }
      last = order[k + BLOCK - 1];
      k += BLOCK;
      continue;
    }
    const y = ys[i];
    if (y !== y) {
      if (gap < 0) {
        gap = i;
      }
    } else {
      if (min < 0 || y < ys[min]) {
        min = i;
      }
      if (max < 0 || y > ys[max]) {
        max = i;
      }
    }
    last = i;
    k++;
  }
  emit(xs, ys, out, first, min, max, last, gap);
}

/** Append one bucket's picks (distinct indices, in x order). */
function emit(
  xs: Float64Array,
  ys: Float64Array,
  out: IPlotData,
  first: number,
  min: number,
  max: number,
  last: number,
  gap: number
): void {
  if (first < 0) {
    return;
  }
  const picks = [first, min, max, last, gap].filter(
    (v, j, a) => v >= 0 && a.indexOf(v) === j
  );
  // index order is x order for sorted keys; sort by x for the others
  picks.sort((a, b) => xs[a] - xs[b] || a - b);
  for (const i of picks) {
    out.x.push(xs[i]);
    out.y.push(ys[i] === ys[i] ? ys[i] : null);
  }
}
