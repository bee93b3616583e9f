/**
 * Step 1, "Select cells": the notebook's code cells with check boxes (the
 * parser's default: imports and the handle cell), cells with magics flagged,
 * a few lines of each cell's source, and the scan's general problems. Errors
 * in the selected code (a syntax error, two handles, no handle) are shown at
 * the top and on their cell's card, and block Next here.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IProblem, IScanResult } from '../api';
import { generalProblems } from '../spec';
import { ProblemList } from './problems';

const PREVIEW_LINES = 6;

function preview(source: string | undefined, fallback: string): string {
  if (source === undefined) {
    return fallback;
  }
  const lines = source.split('\n');
  return lines.length > PREVIEW_LINES
    ? lines.slice(0, PREVIEW_LINES).join('\n') + '\n…'
    : source;
}

export function CellsStep(props: {
  scan: IScanResult;
  sources: Map<number, string>;
  selected: number[];
  /** The code errors that block Next (IProblem.cell: a 0-based index). */
  errors: IProblem[];
  onToggle: (index: number, on: boolean) => void;
  onSelectAll: (on: boolean) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { scan, sources, selected, trans } = props;
  const chosen = new Set(selected);
  const blocking = new Set(props.errors);
  const errorOf = new Map<number, IProblem>();
  for (const p of props.errors) {
    if (p.cell !== null && !errorOf.has(p.cell)) {
      errorOf.set(p.cell, p);
    }
  }
  return (
    <div
      className="mo-Deploy-step mo-Deploy-cells"
      data-testid="mo-deploy-cells"
    >
      <p className="mo-Deploy-hint">
        {trans.__(
          'Select the cells handler.py is made of: the imports, the code the handle function needs (loading a model) and the handle cell. Cells with magics or !shell lines are flagged: those lines are commented out.'
        )}
      </p>
      {props.errors.length > 0 && (
        <div
          className="mo-Deploy-blocking"
          role="alert"
          data-testid="mo-deploy-cells-blocking"
        >
          <p className="mo-Deploy-blockingHead">
            {trans.__(
              'Fix these in the notebook (save it, then Rescan) or change the selection before going on:'
            )}
          </p>
          <ProblemList problems={props.errors} trans={trans} />
        </div>
      )}
      <div className="mo-Deploy-cellTools">
        <button
          className="jp-Button jp-mod-minimal mo-Deploy-link"
          data-testid="mo-deploy-select-all"
          onClick={() => props.onSelectAll(true)}
        >
          {trans.__('Select all')}
        </button>
        <button
          className="jp-Button jp-mod-minimal mo-Deploy-link"
          data-testid="mo-deploy-select-none"
          onClick={() => props.onSelectAll(false)}
        >
          {trans.__('Select none')}
        </button>
        <span className="mo-Deploy-count">
          {trans.__(
            '%1 of %2 code cells selected',
            selected.length,
            scan.cells.length
          )}
        </span>
      </div>
      {!scan.cells.length && (
        <div className="mo-Deploy-empty">
          {trans.__('This notebook has no code cells.')}
        </div>
      )}
      <ul className="mo-Deploy-cellList">
        {scan.cells.map(cell => {
          const on = chosen.has(cell.index);
          const id = `mo-deploy-cell-${cell.index}`;
          const error = errorOf.get(cell.index);
          return (
            <li
              key={cell.index}
              className={`mo-Deploy-cell${on ? ' mo-mod-selected' : ''}${error ? ' mo-mod-error' : ''}`}
              data-testid={id}
              data-index={cell.index}
              data-selected={on ? 'true' : 'false'}
              data-magic={cell.magic ? 'true' : 'false'}
            >
              <label className="mo-Deploy-cellHead">
                <input
                  type="checkbox"
                  checked={on}
                  data-testid={`${id}-check`}
                  onChange={e => props.onToggle(cell.index, e.target.checked)}
                />
                <span className="mo-Deploy-cellLabel">
                  {trans.__('Cell %1', cell.index + 1)}
                </span>
                {cell.index === scan.handle_cell && (
                  <span className="mo-Deploy-tag mo-mod-handle">handle</span>
                )}
                {error && (
                  <span
                    className="mo-Deploy-tag mo-mod-error"
                    data-testid={`${id}-error`}
                    title={error.message}
                  >
                    {trans.__('error')}
                  </span>
                )}
                {cell.magic && (
                  <span
                    className="mo-Deploy-tag mo-mod-warning"
                    data-testid={`${id}-magic`}
                    title={trans.__(
                      'Magic and !shell lines do not run in a deployed app: they become comments in handler.py'
                    )}
                  >
                    {trans.__('magic')}
                  </span>
                )}
              </label>
              <pre className="mo-Deploy-source">
                {preview(sources.get(cell.index), cell.source_preview)}
              </pre>
            </li>
          );
        })}
      </ul>
      <ProblemList
        problems={generalProblems(scan.problems).filter(p => !blocking.has(p))}
        trans={trans}
        testId="mo-deploy-scan-problems"
      />
    </div>
  );
}
