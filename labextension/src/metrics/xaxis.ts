/**
 * Which x axis the Metrics tab shows, and what its legend says when no
 * point is hovered. Pure functions, unit-tested in `test/metrics.test.ts`.
 */
import { XAxisKey } from '../tokens';

/** The `defaultXAxis` setting: a key, or `auto` (pick from the data). */
export type XAxisSetting = XAxisKey | 'auto';

/** How many plotted points arrived, and how many carried `step` / `epoch`. */
export interface IXAxisCounts {
  points: number;
  withStep: number;
  withEpoch: number;
}

/**
 * The axis `auto` picks: the key every point carries (step first: it is
 * the finer one), else the key some points carry (step first), else time.
 * A training loop prints thousands of lines per second, so its points
 * bunch up on a time axis; its step or epoch spreads them evenly.
 */
export function autoXAxis(c: IXAxisCounts): XAxisKey {
  if (c.points === 0) {
    return 'time';
  }
  if (c.withStep === c.points) {
    return 'step';
  }
  if (c.withEpoch === c.points) {
    return 'epoch';
  }
  if (c.withStep > 0) {
    return 'step';
  }
  return c.withEpoch > 0 ? 'epoch' : 'time';
}

/** The axis to show: the user's explicit choice, else the setting's, else `auto`'s. */
export function effectiveXAxis(
  setting: string | undefined,
  counts: IXAxisCounts
): XAxisKey {
  if (setting === 'time' || setting === 'step' || setting === 'epoch') {
    return setting;
  }
  return autoXAxis(counts);
}

/**
 * A legend value: the hovered one, or with nothing hovered (`val` null)
 * the last finite value drawn, or '' when there is none (never '-').
 */
export function legendValue(
  val: number | null | undefined,
  data: ArrayLike<number | null | undefined> | undefined,
  format: (v: number) => string
): string {
  if (val !== null && val !== undefined) {
    return format(val);
  }
  if (data) {
    for (let i = data.length - 1; i >= 0; i--) {
      const v = data[i];
      if (typeof v === 'number' && v === v) {
        return format(v);
      }
    }
  }
  return '';
}
