/**
 * Several series with their own x values in one uPlot chart: uPlot wants
 * one x array, so the (already downsampled) series are merged in x order.
 * Pure, unit-tested in `test/compare-align.test.ts`.
 */
import { IPlotData } from '../metrics/series';

/** A fixed palette, legible on the light and the dark theme (Tableau 10). */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac'
];

/** Colour and dash of the i-th series (dashed once the palette wraps). */
export function seriesStyle(i: number): { stroke: string; dash?: number[] } {
  const stroke = PALETTE[i % PALETTE.length];
  return i < PALETTE.length ? { stroke } : { stroke, dash: [6, 3] };
}

/**
 * Merge sorted series into uPlot's aligned data: one row per distinct x
 * where series meet (each series gives at most one point per row, so its
 * repeated x values keep their own rows), `undefined` where a series has
 * no point (uPlot joins across those) and `null` for a gap (drawn as one).
 */
export function alignSeries(
  parts: ReadonlyArray<Pick<IPlotData, 'x' | 'y'>>
): [number[], ...(number | null | undefined)[][]] {
  const k = parts.length;
  const heads = new Int32Array(k);
  let total = 0;
  for (const p of parts) {
    total += p.x.length;
  }
  const xs: number[] = [];
  const ys: (number | null | undefined)[][] = parts.map(() => new Array(total));
  for (;;) {
    let min = Infinity;
    let any = false;
    for (let s = 0; s < k; s++) {
      const h = heads[s];
      if (h < parts[s].x.length) {
        const x = parts[s].x[h];
        if (!any || x < min) {
          min = x;
          any = true;
        }
      }
    }
    if (!any) {
      break;
    }
    const row = xs.length;
    xs.push(min);
    for (let s = 0; s < k; s++) {
      const h = heads[s];
      if (h < parts[s].x.length && parts[s].x[h] === min) {
        ys[s][row] = parts[s].y[h];
        heads[s] = h + 1;
      }
    }
  }
  for (const y of ys) {
    y.length = xs.length;
  }
  return [xs, ...ys];
}
