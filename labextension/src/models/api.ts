/**
 * The models' REST client (issue 11 §3, CONTRACT E): list and search, one
 * record and its metric series, delete, register a file by hand, and the
 * download URL. JSON calls
 * go through the shared `requestAPI`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API, IMetric, enc, requestAPI } from '../api';

export type Framework =
  'keras' | 'pytorch' | 'sklearn' | 'numpy' | 'onnx' | 'json' | 'unknown';

export interface IModelFile {
  path: string;
  size: number;
  sha256: string;
  /** Where it was copied from, relative to the root. */
  source?: string;
}

/** The facts of the job that wrote the model, recorded when it registered. */
export interface IJobFacts {
  id: string;
  name?: string | null;
  path?: string | null;
  code_sha256?: string | null;
  args?: string[];
  env_keys?: string[];
  backend?: string | null;
  machine?: string | null;
  state?: string | null;
  started?: number | null;
  ended?: number | null;
  description?: string | null;
  /** Set by the server when the job no longer exists (optional). */
  deleted?: boolean;
}

/** A metric's final values: last, best (min or max by its name), point count. */
export interface IFinalMetric {
  last: unknown;
  best?: unknown;
  steps?: number;
}

export interface ILineage {
  job: IJobFacts | null;
  task: { id: string; name?: string | null } | null;
  module: { id: string; version?: string | null } | null;
  datasets: { id: string; version?: string | null }[];
  conf: { [key: string]: unknown } | null;
  metrics: { [name: string]: IFinalMetric };
}

export interface IModelRecord {
  name: string;
  version: number;
  id: string;
  framework: Framework | string;
  files: IModelFile[];
  size: number;
  created: number;
  source: 'job' | 'manual';
  lineage: ILineage;
  services?: string[];
  description?: string;
  /** The folder of its files, relative to the root (a transfer task starts from there). */
  files_dir?: string;
}

/** One model name with its versions (the server's order; see sortVersions). */
export interface IModelGroup {
  name: string;
  versions: IModelRecord[];
}

/** What "Register as Model…" sends. */
export interface IRegisterModel {
  path: string;
  name?: string;
  description?: string;
}

const base = (name: string, version: number | string) =>
  `models/${enc(name)}/${enc(String(version))}`;

export async function listModels(query = ''): Promise<IModelGroup[]> {
  const q = query ? `?q=${enc(query)}` : '';
  const data = await requestAPI<{ models: IModelGroup[] }>(`models${q}`);
  return data.models ?? [];
}

export function getModel(
  name: string,
  version: number | string
): Promise<IModelRecord> {
  return requestAPI<IModelRecord>(base(name, version));
}

/** The metric series of the job that wrote it, kept with the model ([] by hand). */
export async function getModelMetrics(
  name: string,
  version: number | string
): Promise<IMetric[]> {
  const data = await requestAPI<{ metrics: IMetric[] }>(
    `${base(name, version)}/metrics`
  );
  return data.metrics ?? [];
}

export function deleteModel(
  name: string,
  version: number | string
): Promise<void> {
  return requestAPI<void>(base(name, version), { method: 'DELETE' });
}

export function registerModel(body: IRegisterModel): Promise<IModelRecord> {
  return requestAPI<IModelRecord>('models', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  });
}

/**
 * The URL of a version's zip. A plain link (as JupyterLab's own file
 * downloads): the browser streams it to disk, whatever its size; the token
 * rides along when the page uses one in URLs.
 */
export function downloadUrl(
  name: string,
  version: number | string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  let url = URLExt.join(settings.baseUrl, API, base(name, version), 'download');
  if (settings.appendToken && settings.token) {
    url += `?token=${enc(settings.token)}`;
  }
  return url;
}
