/**
 * When the wizard lets the user go on: each step's Next, and how far a
 * "start on step N" request may jump. Errors stop the user on the step where
 * they can be fixed: the cells' code errors on step 1, the edited
 * handler.py's on step 2, the table's on step 3. Pure.
 */
import type { IProblem } from './api';

export interface IGateState {
  /** The notebook's scan is in. */
  scanned: boolean;
  loading: boolean;
  selected: number[];
  cellErrors: IProblem[];
  handler: string;
  handlerPending: boolean;
  handlerErrors: IProblem[];
  /** Step 3's blocking errors and invalid fields. */
  blocking: number;
}

/** Whether Next is enabled on `step` (0-based; the last step has no Next). */
export function canGoOn(step: number, s: IGateState): boolean {
  switch (step) {
    case 0:
      return (
        s.scanned &&
        !s.loading &&
        s.selected.length > 0 &&
        s.cellErrors.length === 0
      );
    case 1:
      return (
        s.handler.trim().length > 0 &&
        !s.handlerPending &&
        s.handlerErrors.length === 0
      );
    case 2:
      return s.blocking === 0 && !s.loading && !s.handlerPending;
    default:
      return false;
  }
}

/** The step a request for `want` lands on: the first one whose Next is closed, at most `want`. */
export function reachableStep(want: number, s: IGateState): number {
  let step = 0;
  while (step < want && canGoOn(step, s)) {
    step++;
  }
  return step;
}
