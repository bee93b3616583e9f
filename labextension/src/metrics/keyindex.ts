/**
 * The per-x-key index of a metric's points with per-block min/max
 * aggregates (what makes downsampling a million points cheap).
 */
/** log2 of the block size of the pre-aggregated min/max blocks. */
export const SHIFT = 6;
export const BLOCK = 1 << SHIFT;

/**
 * The indices of the points that have one x key, plus, per block of 64 of
 * them, the index of the min and max value and of the first gap. Kept up
 * to date on append, so downsampling 1M points reads ~16k blocks.
 */
export class KeyIndex {
  /** Number of points with this key. */
  n = 0;
  /** Whether x never decreased (the usual case: time, step, epoch). */
  sorted = true;
  idx: Int32Array = new Int32Array(256);
  bMin: Int32Array = new Int32Array(8);
  bMax: Int32Array = new Int32Array(8);
  bGap: Int32Array = new Int32Array(8);

  push(i: number, x: number, y: number, ys: Float64Array): void {
    if (x !== x) {
      return;
    }
    const k = this.n;
    if (k === this.idx.length) {
      this.idx = grow32(this.idx, k * 2);
    }
    this.idx[k] = i;
    if (x < this._lastX) {
      this.sorted = false;
    }
    this._lastX = x;
    const b = k >> SHIFT;
    if ((k & (BLOCK - 1)) === 0) {
      if (b === this.bMin.length) {
        this.bMin = grow32(this.bMin, b * 2);
        this.bMax = grow32(this.bMax, b * 2);
        this.bGap = grow32(this.bGap, b * 2);
      }
      this.bMin[b] = this.bMax[b] = this.bGap[b] = -1;
    }
    if (y !== y) {
      if (this.bGap[b] < 0) {
        this.bGap[b] = i;
      }
    } else {
      if (this.bMin[b] < 0 || y < ys[this.bMin[b]]) {
        this.bMin[b] = i;
      }
      if (this.bMax[b] < 0 || y > ys[this.bMax[b]]) {
        this.bMax[b] = i;
      }
    }
    this.n = k + 1;
  }

  /**
   * Indices sorted by x (stable on ties), kept between calls: only points
   * added since the last call are sorted, then merged in.
   */
  sortedOrder(xs: Float64Array): Int32Array {
    const m = this._order.length;
    const n = this.n;
    if (m === n) {
      return this._order;
    }
    const cmp = (a: number, b: number) => xs[a] - xs[b] || a - b;
    const tail = this.idx.slice(m, n).sort(cmp);
    const prev = this._order;
    const merged = new Int32Array(n);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < m && j < tail.length) {
      merged[k++] = cmp(prev[i], tail[j]) <= 0 ? prev[i++] : tail[j++];
    }
    while (i < m) {
      merged[k++] = prev[i++];
    }
    while (j < tail.length) {
      merged[k++] = tail[j++];
    }
    this._order = merged;
    return merged;
  }

  private _lastX = -Infinity;
  private _order: Int32Array = new Int32Array(0);
}

function grow32(a: Int32Array, size: number): Int32Array {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
