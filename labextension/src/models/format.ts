/**
 * Pure helpers of the Models views (no JupyterLab imports at run time, so
 * the unit tests load them in plain Node): ordering, ids, names, and the
 * rows of the lineage, conf and metrics tables.
 */
import type { IMetric } from '../api';
import type { IFinalMetric, IJobFacts, IModelGroup, IModelRecord } from './api';

/** What the helpers need of a TranslationBundle. */
export interface ITrans {
  __: (msgid: string, ...args: any[]) => string;
}

/** Versions newest first (the highest number; the newest created on a tie). */
export function sortVersions(versions: IModelRecord[]): IModelRecord[] {
  return versions
    .slice()
    .sort(
      (a, b) =>
        Number(b.version) - Number(a.version) ||
        (b.created ?? 0) - (a.created ?? 0)
    );
}

/** When a model's newest version was made (0 without versions). */
function newest(group: IModelGroup): number {
  return Math.max(0, ...group.versions.map(v => v.created ?? 0));
}

/**
 * Models with their versions newest first; the model trained last on top,
 * then by name. Models without a version are left out.
 */
export function sortModels(groups: IModelGroup[]): IModelGroup[] {
  return groups
    .filter(g => g.versions && g.versions.length > 0)
    .map(g => ({ ...g, versions: sortVersions(g.versions) }))
    .sort((a, b) => newest(b) - newest(a) || a.name.localeCompare(b.name));
}

/** "name:3": a version's key (the record's id, the tab's restore name). */
export function modelKey(name: string, version: number | string): string {
  return `${name}:${version}`;
}

/** "name:3" -> {name, version: 3}; null when it is not a key. */
export function parseModelKey(
  key: string
): { name: string; version: number } | null {
  const m = /^(.+):(\d+)$/.exec(key);
  return m ? { name: m[1], version: Number(m[2]) } : null;
}

/** The command arguments {name, version} (or {id: "name:3"}) as a key, or null. */
export function argsKey(args: {
  [key: string]: unknown;
}): { name: string; version: number } | null {
  const { name, version, id } = args;
  if (typeof name === 'string' && name && version !== undefined) {
    const v = Number(version);
    return Number.isInteger(v) && v > 0 ? { name, version: v } : null;
  }
  return typeof id === 'string' ? parseModelKey(id) : null;
}

/** The DOM id of a version's details tab. */
export function modelTabId(name: string, version: number | string): string {
  return `mo-model-${name.replace(/[^A-Za-z0-9_-]/g, '_')}-${version}`;
}

/** The zip a download saves (the server's Content-Disposition says the same). */
export function downloadName(name: string, version: number | string): string {
  return `${name}-${version}.zip`;
}

/**
 * Where a version's files were copied from: the file itself, or the folder
 * that held them ('' when the record does not say).
 */
export function copiedFrom(files: { path: string; source?: string }[]): string {
  if (files.length === 1) {
    return files[0].source ?? '';
  }
  const folders = new Set(
    files.map(f =>
      f.source && f.source.endsWith(`/${f.path}`)
        ? f.source.slice(0, -f.path.length - 1)
        : f.source && f.source === f.path
          ? '.'
          : ''
    )
  );
  return folders.size === 1 ? [...folders][0] : '';
}

/** The first characters of a sha256 (the files table, the job's code). */
export function shortSha(sha: string | null | undefined, n = 12): string {
  return sha ? sha.slice(0, n) : '';
}

const FRAMEWORKS: { [key: string]: string } = {
  keras: 'Keras',
  pytorch: 'PyTorch',
  sklearn: 'scikit-learn',
  numpy: 'NumPy',
  onnx: 'ONNX',
  json: 'JSON'
};

/** How a framework is written ("Keras", "scikit-learn"); unknown ones translated. */
export function frameworkLabel(trans: ITrans, framework: string): string {
  return FRAMEWORKS[framework] ?? trans.__('unknown');
}

/** The default model name of a file: its stem, in the characters names may have. */
export function defaultModelName(path: string): string {
  const base = path.split('/').pop() ?? path;
  const stem = base.replace(/\.[^.]*$/, '') || base;
  return stem.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[._-]+/, '');
}

/** A metric or conf value as text: numbers short, strings as they are, the rest as JSON. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) {
    return '';
  }
  if (typeof v === 'number') {
    if (!isFinite(v)) {
      return String(v);
    }
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  }
  if (typeof v === 'string') {
    return v;
  }
  return JSON.stringify(v);
}

export interface IMetricRow {
  name: string;
  last: string;
  best: string;
  steps: string;
}

/** The final-metrics table: one row per metric, by name. */
export function metricRows(
  metrics:
    | {
        [name: string]: IFinalMetric;
      }
    | null
    | undefined
): IMetricRow[] {
  return Object.keys(metrics ?? {})
    .sort((a, b) => a.localeCompare(b))
    .map(name => {
      const m = metrics![name] ?? ({} as IFinalMetric);
      return {
        name,
        last: formatValue(m.last),
        best: formatValue(m.best),
        steps: m.steps === undefined ? '' : String(m.steps)
      };
    });
}

/** The conf table: [key, value] in the conf's order. */
export function confRows(
  conf: { [key: string]: unknown } | null | undefined
): [string, string][] {
  return Object.entries(conf ?? {}).map(([k, v]) => [k, formatValue(v)]);
}

/** "mo/mnist@1.0.0" (the id alone without a version). */
export function versioned(ref: {
  id: string;
  version?: string | null;
}): string {
  return ref.version ? `${ref.id}@${ref.version}` : ref.id;
}

/**
 * The job's recorded facts after its link, code and arguments: environment
 * variable names, backend, machine, end state and time (empty ones left out).
 */
export function jobFactRows(
  trans: ITrans,
  job: IJobFacts,
  formatTime: (epoch: number | null | undefined) => string
): [string, string][] {
  const rows: [string, string | undefined | null][] = [
    [trans.__('Environment variables'), (job.env_keys ?? []).join(', ')],
    [trans.__('Backend'), job.backend],
    [trans.__('Machine'), job.machine],
    [trans.__('State'), job.state],
    [trans.__('Ended'), formatTime(job.ended)]
  ];
  return rows.filter((r): r is [string, string] => !!r[1]);
}

/** The one-line summary of a version in the sidebar (framework, size, date). */
export function versionFacts(
  trans: ITrans,
  v: IModelRecord,
  formatBytes: (n: number) => string,
  formatTime: (epoch: number) => string
): string {
  return [
    frameworkLabel(trans, v.framework),
    formatBytes(v.size),
    formatTime(v.created)
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The points worth a chart: plotted values (numbers, non-finite markers) of
 * metrics with at least two of them. A metric printed once (a test accuracy
 * at the end) is a row of the final metrics table, not a one-point chart.
 */
export function chartPoints(metrics: IMetric[]): IMetric[] {
  const plotted = metrics.filter(
    m => typeof m.value === 'number' || m.nonfinite !== undefined
  );
  const counts = new Map<string, number>();
  for (const m of plotted) {
    counts.set(m.metric, (counts.get(m.metric) ?? 0) + 1);
  }
  return plotted.filter(m => (counts.get(m.metric) ?? 0) >= 2);
}
