/**
 * The deploy wizard's REST client (docs/deploy-api.md): scan a notebook's
 * handle(conf), write handler.py + app_spec.yml, deploy a service, and read
 * the notebook's folder and cells through the contents API.
 */
import { PathExt } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';

import { enc, requestAPI } from '../api';

export type Severity = 'error' | 'warning';

export interface IProblem {
  severity: Severity;
  message: string;
  cell: number | null;
  line: number | null;
}

export type Side = 'input' | 'output';

export interface IParam {
  name?: string;
  value_type: string;
  default_value?: unknown;
  description?: string;
  optional?: boolean;
  value_range?: unknown;
}

export interface ISpec {
  input: { [key: string]: IParam };
  output: { [key: string]: IParam };
}

export interface IScanCell {
  index: number;
  selected: boolean;
  magic: boolean;
  source_preview: string;
}

export interface IScanResult {
  path: string;
  spec: ISpec;
  problems: IProblem[];
  handle_cell: number | null;
  cells: IScanCell[];
  /** Project-relative paths the selected cells read (static scan of path literals). */
  files?: string[];
}

export interface IGenerateRequest {
  notebook: string;
  cells?: number[];
  handler?: string;
  spec?: ISpec;
  overwrite?: boolean;
}

export interface IGenerateResult {
  folder: string;
  written: { folder: string; files: string[]; replaced: string[] };
  spec: ISpec;
  problems: IProblem[];
}

export type Version = 'dev' | 'prod';

export interface IService {
  id: string;
  name: string;
  version: Version;
  backend: string;
  replicas: number;
  /** Replicas before the last stop: what Start brings back. */
  last_replicas?: number;
  state: 'starting' | 'running' | 'stopped' | 'failed';
  running_replicas?: number;
  /** The jobs whose runs wrote the deployed files (the model the service serves). */
  trained_by?: { file: string; job: string; name?: string; state?: string }[];
  /** The model record it serves (a deploy from the Models sidebar). */
  model?: { name: string; version: number };
  reason?: string;
  /** A failed service's own error: the app's exception line and where (handler.py:3). */
  error?: string;
  port: number;
  url: string;
  proxy: string;
  created: number;
  files: string[];
  /** Whether the app refuses /api/run, /api/spec and /openapi.json without the key. */
  protected?: boolean;
}

/**
 * A service's access key (what the test page sends as X-Mo-Key), from the
 * one route that hands it out: a POST, so only users who may write get it.
 * The service's views (list, get) never carry it.
 */
export interface IServiceKey {
  id: string;
  key: string;
  protected: boolean;
}

export interface IDeployRequest {
  folder: string;
  version: Version;
  files?: string[];
  name?: string;
  backend?: string;
  machine?: string;
  protected?: boolean;
}

function post(body: unknown): RequestInit {
  return {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  };
}

export function scanHandle(
  path: string,
  cells?: number[]
): Promise<IScanResult> {
  return requestAPI<IScanResult>(
    'handle/scan',
    post(cells ? { path, cells } : { path })
  );
}

export function generateFiles(
  request: IGenerateRequest
): Promise<IGenerateResult> {
  return requestAPI<IGenerateResult>('handle/generate', post(request));
}

export function deployService(request: IDeployRequest): Promise<IService> {
  return requestAPI<IService>('services', post(request));
}

export function getService(id: string): Promise<IService> {
  return requestAPI<IService>(`services/${enc(id)}`);
}

/** The code cells' full sources by notebook index, as saved on disk. */
export async function readCellSources(
  contents: Contents.IManager,
  path: string
): Promise<Map<number, string>> {
  const model = await contents.get(path, { content: true, type: 'notebook' });
  const cells = (model.content?.cells ?? []) as {
    cell_type: string;
    source: string | string[];
  }[];
  const out = new Map<number, string>();
  cells.forEach((cell, i) => {
    if (cell.cell_type === 'code') {
      out.set(
        i,
        Array.isArray(cell.source) ? cell.source.join('') : cell.source
      );
    }
  });
  return out;
}

/** An entry of a folder listing: the name and whether it is a folder. */
export interface IEntry {
  name: string;
  dir: boolean;
}

async function listDir(
  contents: Contents.IManager,
  path: string
): Promise<IEntry[]> {
  try {
    const model = await contents.get(path, { content: true });
    if (model.type !== 'directory') {
      return [];
    }
    return (model.content as Contents.IModel[]).map(m => ({
      name: m.name,
      dir: m.type === 'directory'
    }));
  } catch {
    return [];
  }
}

/** The notebook folder's entries, and those of its results/ folder. */
export async function listProjectFiles(
  contents: Contents.IManager,
  folder: string
): Promise<{ top: IEntry[]; results: IEntry[] }> {
  const top = await listDir(contents, folder);
  const results = top.some(e => e.dir && e.name === 'results')
    ? await listDir(contents, PathExt.join(folder, 'results'))
    : [];
  return { top, results };
}

/** A text file's content ('' when it cannot be read). */
export async function readText(
  contents: Contents.IManager,
  path: string
): Promise<string> {
  try {
    const model = await contents.get(path, {
      content: true,
      type: 'file',
      format: 'text'
    });
    return String(model.content ?? '');
  } catch {
    return '';
  }
}
