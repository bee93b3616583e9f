/**
 * The wizard's pure parts: the default task name, the split choices of a
 * dataset, the typed train ratio, and the request a wizard's values make.
 */
import { IDatasetChoice, ISplit, ITaskRequest, SplitKind } from './api';

/** The longest task name the wizard suggests. */
export const NAME_MAX = 100;

/** `owner/name[@version]` → `name`. */
export function shortName(id: string): string {
  return id.split('@')[0].split('/').pop() ?? id;
}

/** The default name: module and dataset, e.g. `text_classifier_bayes-text_zh_en`. */
export function defaultTaskName(module: string, dataset: string): string {
  const parts = [module, dataset].filter(Boolean).map(shortName);
  return parts.join('-').slice(0, NAME_MAX);
}

/** The project folder of a task's folder `<project>/tasks/<slug>` ('' for the root). */
export function projectOfTaskFolder(folder: string): string {
  const parts = folder.split('/').filter(Boolean);
  return parts.length >= 2 && parts[parts.length - 2] === 'tasks'
    ? parts.slice(0, -2).join('/')
    : '';
}

/** One radio choice of the split step. `share` is the dataset's train share. */
export interface ISplitChoice {
  kind: SplitKind;
  share?: number;
}

/** The dataset's own train share (its test_set), when it has one. */
export function datasetShare(
  d: IDatasetChoice | null | undefined
): number | undefined {
  const t = d?.test_set;
  return typeof t === 'number' && t > 0 && t <= 1 ? t : undefined;
}

/** The choices the server allows for this module and dataset, in its order. */
export function splitChoices(
  d: IDatasetChoice | null | undefined
): ISplitChoice[] {
  if (!d) {
    return [];
  }
  const order: SplitKind[] = ['dataset', 'independent', 'ratio'];
  const allowed = (d.splits ?? []).filter(k => order.includes(k));
  return allowed.map(kind =>
    kind === 'dataset' ? { kind, share: datasetShare(d) } : { kind }
  );
}

/** A share as a percentage for the labels: 0.8 → "80", 0.125 → "12.5". */
export function percent(share: number): string {
  return String(Math.round(share * 1000) / 10);
}

/** The typed ratio when 0 < r <= 1, else null. */
export function parseRatio(text: string): number | null {
  const t = text.trim();
  if (!/^(\d+\.?\d*|\.\d+)$/.test(t)) {
    return null;
  }
  const r = Number(t);
  return r > 0 && r <= 1 ? r : null;
}

/**
 * The split to start with: the previous kind when this dataset allows it,
 * else the first allowed; the ratio text from the previous ratio, else the
 * dataset's share, else 0.8.
 */
export function initialSplit(
  d: IDatasetChoice | null | undefined,
  previous?: ISplit | null
): { kind: SplitKind | ''; ratio: string } {
  const choices = splitChoices(d);
  const kinds = choices.map(c => c.kind);
  const kind =
    previous && kinds.includes(previous.kind)
      ? previous.kind
      : (kinds[0] ?? '');
  const ratio = previous?.ratio ?? datasetShare(d) ?? 0.8;
  return { kind, ratio: String(ratio) };
}

/** The split to send, or null when the ratio is not valid. */
export function splitRequest(
  kind: SplitKind | '',
  ratio: string
): ISplit | null {
  if (!kind) {
    return null;
  }
  if (kind !== 'ratio') {
    return { kind };
  }
  const r = parseRatio(ratio);
  return r === null ? null : { kind, ratio: r };
}

/** The wizard's values. */
export interface IWizardValues {
  purpose: string;
  module: string;
  dataset: string;
  split: ISplit;
  params: { [name: string]: unknown };
  backend: string;
  machine: string;
  maxRunSeconds: number | null;
  name: string;
  description: string;
}

/** The POST / PATCH body of the wizard's values. */
export function taskRequest(v: IWizardValues, start?: boolean): ITaskRequest {
  const body: ITaskRequest = {
    name: v.name.trim(),
    description: v.description.trim(),
    module: v.module,
    dataset: v.dataset,
    split: v.split,
    params: v.params
  };
  // null: no limit (an edited draft loses the one it had)
  body.max_run_seconds = v.maxRunSeconds;
  if (v.purpose) {
    body.purpose = v.purpose;
  }
  if (v.backend) {
    body.backend = v.backend;
  }
  if (v.machine) {
    body.machine = v.machine;
  }
  if (start !== undefined) {
    body.start = start;
  }
  return body;
}
