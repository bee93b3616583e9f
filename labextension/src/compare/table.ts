/**
 * The Compare tab's table: the jobs' parameters against each metric's last
 * and best value. Pure functions, unit-tested in `test/compare-table.test.ts`;
 * the same rules as `mo_jupyter/jobs/compare.py` (`jupyter mo job compare`):
 *
 * - Parameters: backend, machine, `args` (one shell-quoted string) and each
 *   `--flag value` / `--flag=value` in them, `env.KEY`, and from a training
 *   task: `task`, `module` and `datasets` (`id@version`), `conf.KEY`. A
 *   parameter differs when the jobs do not all have the same value ('' when
 *   missing).
 * - Metrics: charted points only. `last` is the last point's value (NaN for
 *   a non-finite one), `best` the min of the finite values for a name with
 *   `loss` or `error` in it (any case), else their max.
 */
import { IJob, IMetric, IVersionRef } from '../api';
import { shellQuote } from '../jobs/shlex';

export type CellValue = string | number | null;

export interface IColumn {
  key: string;
  label: string;
  kind: 'job' | 'param' | 'metric';
  differs: boolean;
}

export interface IRow {
  id: string;
  values: { [key: string]: CellValue };
}

export interface ICompareTable {
  columns: IColumn[];
  rows: IRow[];
}

export function lowerIsBetter(metric: string): boolean {
  const name = metric.toLowerCase();
  return name.includes('loss') || name.includes('error');
}

/** A parameter value as text (JSON for what is not a string). */
export function formatParam(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') {
    return String(value);
  }
  return JSON.stringify(value ?? null);
}

/** `--flag value` and `--flag=value` pairs (a flag with no value: "true"). */
export function argFlags(args: ReadonlyArray<string>): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      if (eq >= 0) {
        out.push([a.slice(0, eq), a.slice(eq + 1)]);
      } else if (i + 1 < args.length && !args[i + 1].startsWith('--')) {
        out.push([a, args[++i]]);
      } else {
        out.push([a, 'true']);
      }
    }
  }
  return out;
}

function versioned(ref: IVersionRef): string {
  return ref.version ? `${ref.id}@${ref.version}` : ref.id;
}

/** [key, label, value] of one job's parameters, in the table's order. */
export function jobParams(job: IJob): [string, string, string][] {
  const out: [string, string, string][] = [
    ['backend', 'backend', job.backend ?? ''],
    ['machine', 'machine', job.machine ?? '']
  ];
  const args = (job.args ?? []).map(String);
  out.push(['args', 'args', args.map(shellQuote).join(' ')]);
  for (const [k, v] of argFlags(args)) {
    out.push([`arg:${k}`, k, v]);
  }
  const env = job.env ?? {};
  for (const k of Object.keys(env).sort()) {
    out.push([`env:${k}`, `env.${k}`, String(env[k])]);
  }
  const task = job.task;
  if (task) {
    out.push(['task', 'task', String(task.name || task.id || '')]);
    if (task.module) {
      out.push(['module', 'module', versioned(task.module)]);
    }
    if (task.datasets?.length) {
      out.push([
        'datasets',
        'datasets',
        task.datasets.map(versioned).join(', ')
      ]);
    }
    const conf = task.conf ?? {};
    for (const k of Object.keys(conf).sort()) {
      out.push([`conf:${k}`, `conf.${k}`, formatParam(conf[k])]);
    }
  }
  return out;
}

/** The value a charted point draws: a number, NaN for a gap, null if not charted. */
export function numericValue(m: IMetric): number | null {
  if (m.nonfinite !== undefined) {
    return m.nonfinite === 'Infinity'
      ? Infinity
      : m.nonfinite === '-Infinity'
        ? -Infinity
        : NaN;
  }
  return typeof m.value === 'number' ? m.value : null;
}

export interface ISummary {
  last: number | null;
  best: number | null;
}

/** Last and best value of each charted metric, in first-seen order. */
export function metricSummary(
  metrics: ReadonlyArray<IMetric>
): Map<string, ISummary> {
  const out = new Map<string, ISummary>();
  for (const m of metrics) {
    const y = numericValue(m);
    if (y === null) {
      continue;
    }
    let s = out.get(m.metric);
    if (!s) {
      s = { last: null, best: null };
      out.set(m.metric, s);
    }
    s.last = y;
    if (isFinite(y)) {
      const lower = lowerIsBetter(m.metric);
      if (s.best === null || (lower ? y < s.best : y > s.best)) {
        s.best = y;
      }
    }
  }
  return out;
}

const GROUPS = [
  'backend',
  'machine',
  'args',
  'arg:',
  'env:',
  'task',
  'module',
  'datasets',
  'conf:'
];

function group(key: string): number {
  const i = GROUPS.findIndex(
    g => key === g || (g.endsWith(':') && key.startsWith(g))
  );
  return i < 0 ? GROUPS.length : i;
}

/** The comparison of `jobs`, given each one's metrics (by job id). */
export function compareTable(
  jobs: ReadonlyArray<IJob>,
  metrics: { [id: string]: ReadonlyArray<IMetric> }
): ICompareTable {
  const params = new Map<string, string>();
  const names = new Set<string>();
  const perJob: { [key: string]: CellValue }[] = [];
  for (const job of jobs) {
    const values: { [key: string]: CellValue } = {
      id: job.id,
      name: job.name ?? ''
    };
    for (const [key, label, value] of jobParams(job)) {
      if (!params.has(key)) {
        params.set(key, label);
      }
      if (!(key in values)) {
        values[key] = value;
      }
    }
    for (const [name, s] of metricSummary(metrics[job.id] ?? [])) {
      names.add(name);
      values[`metric:${name}:last`] = s.last;
      values[`metric:${name}:best`] = s.best;
    }
    perJob.push(values);
  }
  const keys = Array.from(params.keys());
  const sortedGroup = (k: string) =>
    k.startsWith('env:') || k.startsWith('conf:') ? k : '';
  const order = keys
    .map((k, i) => ({ k, i }))
    .sort(
      (a, b) =>
        group(a.k) - group(b.k) ||
        (sortedGroup(a.k) < sortedGroup(b.k)
          ? -1
          : sortedGroup(a.k) > sortedGroup(b.k)
            ? 1
            : 0) ||
        a.i - b.i
    )
    .map(e => e.k);
  const columns: IColumn[] = [
    { key: 'id', label: 'id', kind: 'job', differs: false },
    { key: 'name', label: 'name', kind: 'job', differs: false }
  ];
  for (const key of order) {
    const distinct = new Set(perJob.map(v => v[key] ?? ''));
    columns.push({
      key,
      label: params.get(key)!,
      kind: 'param',
      differs: distinct.size > 1
    });
  }
  for (const name of names) {
    for (const which of ['last', 'best']) {
      columns.push({
        key: `metric:${name}:${which}`,
        label: `${name} ${which}`,
        kind: 'metric',
        differs: false
      });
    }
  }
  const rows = perJob.map(values => {
    const row: IRow = { id: String(values.id), values: {} };
    for (const c of columns) {
      row.values[c.key] = values[c.key] ?? null;
    }
    return row;
  });
  return { columns, rows };
}

/**
 * Rows sorted by one column (stable): numbers by value, text in natural
 * order; empty cells (and NaN) last whichever the direction.
 */
export function sortRows(
  rows: ReadonlyArray<IRow>,
  key: string,
  descending = false
): IRow[] {
  const missing = (v: CellValue) =>
    v === null || v === '' || (typeof v === 'number' && isNaN(v));
  const sign = descending ? -1 : 1;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      const x = a.row.values[key];
      const y = b.row.values[key];
      const mx = missing(x);
      const my = missing(y);
      if (mx || my) {
        return mx === my ? a.i - b.i : mx ? 1 : -1;
      }
      let c: number;
      if (typeof x === 'number' && typeof y === 'number') {
        c = x - y;
      } else {
        c = String(x).localeCompare(String(y), undefined, { numeric: true });
      }
      return sign * c || a.i - b.i;
    })
    .map(e => e.row);
}

/** A cell as CSV / text writes it: numbers in full, non-finite by name. */
export function cellText(v: CellValue): string {
  return v === null ? '' : String(v);
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV (RFC 4180, CRLF line ends as Python's csv module writes). */
export function toCSV(table: ICompareTable, rows = table.rows): string {
  const lines = [table.columns.map(c => csvField(c.label)).join(',')];
  for (const row of rows) {
    lines.push(
      table.columns.map(c => csvField(cellText(row.values[c.key]))).join(',')
    );
  }
  return lines.join('\r\n') + '\r\n';
}
