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

export class MetricSeries {
  constructor(readonly name: string) {}

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
    this._version++;
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
 * Build plot data for `key`. When there are more points than about 4 per
 * bucket, each bucket keeps its first, min, max and last points (in
 * order) plus one gap if it held one, so spikes and gaps stay visible.
 *
 * `zoom` [lo, hi]: spend `buckets` on that range and few on the rest.
 */
export function buildPlotData(
  series: MetricSeries,
  key: XAxisKey,
  buckets: number,
  zoom: [number, number] | null = null
): IPlotData {
  const xs = series.x(key);
  const ys = series.y();
  const n = xs.length;
  let order: Int32Array | null = null;
  let count = 0;
  let sorted = true;
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    if (x === x) {
      count++;
      if (x < prev) {
        sorted = false;
      }
      prev = x;
    }
  }
  if (!sorted || count !== n) {
    order = new Int32Array(count);
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (xs[i] === xs[i]) {
        order[k++] = i;
      }
    }
    if (!sorted) {
      // stable: ties keep arrival order
      order.sort((a, b) => xs[a] - xs[b] || a - b);
    }
  }
  const at = (k: number) => (order ? order[k] : k);
  const out: IPlotData = { x: [], y: [], count, xMin: NaN, xMax: NaN };
  if (count === 0) {
    return out;
  }
  out.xMin = xs[at(0)];
  out.xMax = xs[at(count - 1)];
  if (count <= buckets * 4) {
    for (let k = 0; k < count; k++) {
      const i = at(k);
      out.x.push(xs[i]);
      out.y.push(ys[i] === ys[i] ? ys[i] : null);
    }
    return out;
  }
  const side = Math.max(16, Math.floor(buckets / 8));
  if (zoom && zoom[0] > out.xMin && zoom[1] < out.xMax) {
    bucketize(xs, ys, at, count, out.xMin, zoom[0], side, out, false);
    bucketize(xs, ys, at, count, zoom[0], zoom[1], buckets, out, true);
    bucketize(xs, ys, at, count, zoom[1], out.xMax, side, out, true, true);
  } else {
    bucketize(xs, ys, at, count, out.xMin, out.xMax, buckets, out, true);
  }
  return out;
}

/** Downsample points with lo <= x < hi (or <= hi when `closed`). */
function bucketize(
  xs: Float64Array,
  ys: Float64Array,
  at: (k: number) => number,
  count: number,
  lo: number,
  hi: number,
  buckets: number,
  out: IPlotData,
  closed: boolean,
  openLow = false
): void {
  const width = (hi - lo) / buckets || 1;
  let cur = -1;
  // per bucket: first, min, max, last, gap (indices into xs/ys; -1 = none)
  let first = -1;
  let min = -1;
  let max = -1;
  let last = -1;
  let gap = -1;
  const flush = () => {
    if (first < 0 && gap < 0) {
      return;
    }
    const picks = [first, min, max, last, gap]
      .filter((v, i, a) => v >= 0 && a.indexOf(v) === i)
      .sort((a, b) => xs[a] - xs[b] || a - b);
    for (const i of picks) {
      out.x.push(xs[i]);
      out.y.push(i === gap ? null : ys[i]);
    }
  };
  for (let k = 0; k < count; k++) {
    const i = at(k);
    const x = xs[i];
    if (x < lo || (openLow && x === lo) || x > hi || (!closed && x === hi)) {
      continue;
    }
    const b = Math.min(buckets - 1, Math.floor((x - lo) / width));
    if (b !== cur) {
      flush();
      cur = b;
      first = min = max = last = gap = -1;
    }
    const y = ys[i];
    if (y !== y) {
      if (gap < 0) {
        gap = i;
      }
      continue;
    }
    if (first < 0) {
      first = i;
    }
    if (min < 0 || y < ys[min]) {
      min = i;
    }
    if (max < 0 || y > ys[max]) {
      max = i;
    }
    last = i;
  }
  flush();
}
