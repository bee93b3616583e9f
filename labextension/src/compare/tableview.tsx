/**
 * The Compare tab's table: a row per job, its parameters (the differing
 * ones highlighted) and each metric's last and best value (the jobs' best
 * in bold). A click on a header (or Enter on it) sorts by that column;
 * again, the other way.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatValue } from '../metrics/chart';
import {
  CellValue,
  IColumn,
  ICompareTable,
  IRow,
  lowerIsBetter,
  sortRows
} from './table';

export class CompareTableView extends ReactWidget {
  constructor(
    private _trans: TranslationBundle,
    private _onOpen: (id: string) => void
  ) {
    super();
    this.addClass('mo-CompareTable');
  }

  get table(): ICompareTable | null {
    return this._table;
  }

  set table(table: ICompareTable | null) {
    this._table = table;
    this.update();
  }

  /** The rows in the order shown. */
  get rows(): IRow[] {
    const rows = this._table?.rows ?? [];
    return this._sortKey ? sortRows(rows, this._sortKey, this._desc) : rows;
  }

  /** Sort by `key` (a column key); `descending` toggles when not given. */
  sortBy(key: string, descending?: boolean): void {
    this._desc = descending ?? (this._sortKey === key ? !this._desc : false);
    this._sortKey = key;
    this.update();
  }

  render(): JSX.Element {
    const trans = this._trans;
    const table = this._table;
    if (!table) {
      return <div />;
    }
    const columns = table.columns.filter(
      c => !this._onlyDiffering || c.kind !== 'param' || c.differs
    );
    const rows = this.rows;
    const best = bestValues(table);
    const differing = table.columns.filter(c => c.differs).length;
    return (
      <div className="mo-CompareTable-content">
        <div className="mo-CompareTable-bar">
          <h3 className="mo-CompareTable-title">
            {trans.__('Parameters and metrics')}
          </h3>
          <span className="mo-CompareTable-differCount">
            {trans.__('Parameters that differ: %1', differing)}
          </span>
          <label className="mo-CompareTable-onlyDiffering">
            <input
              type="checkbox"
              checked={this._onlyDiffering}
              onChange={e => {
                this._onlyDiffering = e.currentTarget.checked;
                this.update();
              }}
            />
            {trans.__('Only parameters that differ')}
          </label>
        </div>
        <div className="mo-CompareTable-scroll">
          <table className="mo-Table mo-CompareTable-table">
            <thead>
              <tr>{columns.map(c => this._header(c))}</tr>
            </thead>
            <tbody>
              {rows.map(row => (
                <tr key={row.id} data-job-id={row.id}>
                  {columns.map(c => this._cell(c, row, best))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    );
  }

  private _header(c: IColumn): JSX.Element {
    const sorted = this._sortKey === c.key;
    const kind =
      c.kind === 'metric'
        ? this._trans.__('metric')
        : c.kind === 'param'
          ? c.differs
            ? this._trans.__('parameter, differs between the jobs')
            : this._trans.__('parameter, the same for every job')
          : '';
    return (
      <th
        key={c.key}
        data-key={c.key}
        className={`mo-CompareTable-th mo-mod-${c.kind}${
          c.differs ? ' mo-mod-differs' : ''
        }`}
        aria-sort={sorted ? (this._desc ? 'descending' : 'ascending') : 'none'}
        title={kind ? `${c.label} (${kind})` : c.label}
      >
        <button
          className="mo-CompareTable-sort"
          onClick={() => this.sortBy(c.key)}
        >
          {c.label}
          <span className="mo-CompareTable-sortMark" aria-hidden="true">
            {sorted ? (this._desc ? ' ▼' : ' ▲') : ''}
          </span>
        </button>
      </th>
    );
  }

  private _cell(c: IColumn, row: IRow, best: Map<string, number>): JSX.Element {
    const v = row.values[c.key];
    const cls = [`mo-mod-${c.kind}`];
    if (c.differs) {
      cls.push('mo-mod-differs');
    }
    if (typeof v === 'number' && best.get(c.key) === v) {
      cls.push('mo-mod-best');
    }
    if (c.key === 'name') {
      return (
        <td key={c.key} className={cls.join(' ')}>
          <button
            className="mo-CompareTable-open"
            title={this._trans.__('Open job %1', row.id)}
            onClick={() => this._onOpen(row.id)}
          >
            {v || row.id}
          </button>
        </td>
      );
    }
    return (
      <td
        key={c.key}
        className={cls.join(' ')}
        data-key={c.key}
        title={cellTitle(v)}
      >
        {typeof v === 'number' ? formatValue(v) : (v ?? '')}
      </td>
    );
  }

  private _table: ICompareTable | null = null;
  private _sortKey = '';
  private _desc = false;
  private _onlyDiffering = false;
}

function cellTitle(v: CellValue): string | undefined {
  return v === null || v === '' ? undefined : String(v);
}

/** Per metric column, the best value among the jobs (when 2+ have one). */
function bestValues(table: ICompareTable): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of table.columns) {
    if (c.kind !== 'metric') {
      continue;
    }
    const name = c.key.slice('metric:'.length, c.key.lastIndexOf(':'));
    const lower = lowerIsBetter(name);
    const vs = table.rows
      .map(r => r.values[c.key])
      .filter((v): v is number => typeof v === 'number' && isFinite(v));
    if (vs.length > 1) {
      out.set(c.key, lower ? Math.min(...vs) : Math.max(...vs));
    }
  }
  return out;
}
