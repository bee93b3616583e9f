/**
 * Metric columns (`GET .../metrics?format=columns`, `lines` frames) as the
 * metric records the rest of the front end takes.
 */
import type { IMetric, ISeriesColumns } from '../api';

/** The points of series columns as metric records, in each series' order. */
export function seriesPoints(series: ISeriesColumns[], after = 0): IMetric[] {
  const out: IMetric[] = [];
  for (const s of series) {
    const { metric, source, seq, value, time, step, epoch } = s;
    const nonfinite = s.nonfinite ?? {};
    const other = s.other ?? {};
    for (let i = 0; i < seq.length; i++) {
      if (seq[i] <= after) {
        continue;
      }
      const point: IMetric = {
        metric,
        source,
        seq: seq[i],
        time: time[i],
        value: value[i]
      };
      const st = step?.[i];
      if (st !== undefined && st !== null) {
        point.step = st;
      }
      const ep = epoch?.[i];
      if (ep !== undefined && ep !== null) {
        point.epoch = ep;
      }
      const key = String(i);
      if (key in other) {
        point.value = other[key];
      } else if (key in nonfinite) {
        point.value = null;
        point.nonfinite = nonfinite[key];
      }
      out.push(point);
    }
  }
  return out;
}
