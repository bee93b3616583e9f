/**
 * The catalog's REST client (docs/catalog-api.md): modules, datasets,
 * uploads, archives. JSON calls go through the shared `requestAPI`; the raw
 * upload chunks through `ServerConnection.makeRequest` too, so the token,
 * XSRF cookie and base URL are handled the same way.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API, MoApiError, enc, requestAPI } from '../api';

export type ModuleAction = 'predict' | 'train' | 'run';
export type Permission = 'private' | 'public' | 'preset';

export interface IParam {
  name: string;
  value_type: string;
  default_value?: unknown;
  value_range?: unknown[];
  description: string;
  optional: boolean;
}

export interface IModuleSummary {
  id: string;
  owner: string;
  name: string;
  version: string;
  versions: string[];
  description: string;
  tags: string[];
  category: 'model' | 'toolkit';
  permission: Permission;
  /** Offline versions are hidden from the others (their owner still sees them). */
  status: 'online' | 'offline';
  catalog: string;
  /** Yours, in a writable catalog: you may edit, set offline, withdraw. */
  writable: boolean;
  actions: ModuleAction[];
}

/** A parameter of the New module form. */
export interface INewParam {
  name: string;
  value_type: string;
  default_value?: unknown;
  description?: string;
}

/** The New module form (catalog_requests#module_new). */
export interface INewModuleForm {
  name: string;
  folder: string;
  description?: string;
  category?: 'model' | 'toolkit';
  actions: ModuleAction[];
  inputs: { [K in ModuleAction]?: INewParam[] };
  outputs: { predict?: INewParam[]; run?: INewParam[] };
}

export interface INewModuleResult {
  path: string;
  name: string;
  class_name: string;
  files: string[];
  main: string;
}

/** What the owner may change after publishing (catalog_requests#module_edit). */
export interface IModuleChanges {
  description?: string;
  tags?: string[];
  category?: 'model' | 'toolkit';
  readme?: string;
  status?: 'online' | 'offline';
  permission?: 'private' | 'public';
}

export interface IWithdrawResult {
  id: string;
  withdrawn: string;
  versions: string[];
  removed: boolean;
}

export interface IModuleDetail extends IModuleSummary {
  spec: {
    input?: { [K in ModuleAction]?: IParam[] };
    output?: { predict?: IParam[]; run?: IParam[] };
  };
  readme: string;
  files: IFileEntry[];
  class_name: string;
}

export interface IFileEntry {
  path: string;
  size: number;
}

export interface IListing<T> {
  items: T[];
  total: number;
}

export interface IInsertResult {
  target: string;
  cell: string;
  copied?: boolean;
  mode?: 'reflink' | 'link' | 'copy' | 'existing';
}

/** The editable keys of dataset.yml. */
export interface IDatasetMeta {
  name: string;
  owner?: string;
  version?: string;
  description?: string;
  tags?: string[];
  purpose?: string;
  label_type?: string;
  format?: string;
  test_set?: number | 'independent';
  permission?: Permission;
  status?: 'online' | 'offline';
  license?: string;
  source?: string;
}

export interface IDatasetSummary extends IDatasetMeta {
  id: string;
  owner: string;
  catalog: string;
  writable: boolean;
  size: number;
  file_count: number;
}

export interface IDatasetDetail extends IDatasetSummary {
  files: IFileEntry[];
  truncated: boolean;
  check: { ok: boolean; problems: string[] };
  archives: string[];
}

export interface ICatalogInfo {
  owner: string;
  catalogs: { name: string; path: string; writable: boolean }[];
}

function json(method: string, body?: unknown): RequestInit {
  return {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  };
}

/** `owner/name` as a URL path, each part encoded. */
function idPath(id: string): string {
  return id.split('/').map(enc).join('/');
}

export function getCatalogInfo(): Promise<ICatalogInfo> {
  return requestAPI<ICatalogInfo>('catalog');
}

// ---- modules ----------------------------------------------------------------

export function searchModules(
  q: string,
  limit = 50
): Promise<IListing<IModuleSummary>> {
  return requestAPI(`modules?q=${enc(q)}&limit=${limit}`);
}

export function getModule(
  id: string,
  version?: string
): Promise<IModuleDetail> {
  const v = version ? `/${enc(version)}` : '';
  return requestAPI(`modules/${idPath(id)}${v}`);
}

export function insertModule(
  id: string,
  version: string,
  notebook: string,
  action: ModuleAction,
  replace = false
): Promise<IInsertResult> {
  return requestAPI(
    `modules/${idPath(id)}/${enc(version)}/insert`,
    json('POST', { notebook, action, replace })
  );
}

export function publishModule(
  path: string,
  permission: 'private' | 'public'
): Promise<IModuleDetail> {
  return requestAPI('modules/publish', json('POST', { path, permission }));
}

export function newModule(form: INewModuleForm): Promise<INewModuleResult> {
  return requestAPI('modules/new', json('POST', form));
}

/** Change one version, or every version when `version` is ''. */
export function updateModule(
  id: string,
  version: string,
  changes: IModuleChanges
): Promise<IModuleDetail> {
  const v = version ? `/${enc(version)}` : '';
  return requestAPI(`modules/${idPath(id)}${v}`, json('PATCH', changes));
}

export function withdrawModule(
  id: string,
  version: string
): Promise<IWithdrawResult> {
  return requestAPI(`modules/${idPath(id)}/${enc(version)}`, {
    method: 'DELETE'
  });
}

// ---- datasets ---------------------------------------------------------------

export function searchDatasets(
  q: string,
  limit = 50
): Promise<IListing<IDatasetSummary>> {
  return requestAPI(`datasets?q=${enc(q)}&limit=${limit}`);
}

export function getDataset(id: string): Promise<IDatasetDetail> {
  return requestAPI(`datasets/${idPath(id)}`);
}

export function createDataset(meta: IDatasetMeta): Promise<IDatasetDetail> {
  return requestAPI('datasets', json('POST', meta));
}

export function updateDataset(
  id: string,
  changes: Partial<IDatasetMeta>
): Promise<IDatasetDetail> {
  return requestAPI(`datasets/${idPath(id)}`, json('PATCH', changes));
}

export function deleteDataset(id: string): Promise<void> {
  return requestAPI(`datasets/${idPath(id)}`, { method: 'DELETE' });
}

export function insertDataset(
  id: string,
  notebook: string,
  replace = false
): Promise<IInsertResult> {
  return requestAPI(
    `datasets/${idPath(id)}/insert`,
    json('POST', { notebook, replace })
  );
}

export function importIntoDataset(
  id: string,
  source: { upload: string; part: 'train' | 'test' } | { path: string }
): Promise<IDatasetDetail> {
  return requestAPI(`datasets/${idPath(id)}/import`, json('POST', source));
}

export function extractArchive(
  archive: string,
  dest?: string
): Promise<{ dest: string; files: number; bytes: number }> {
  const body: { archive: string; dest?: string } = { archive };
  if (dest) {
    body.dest = dest;
  }
  return requestAPI('archives/extract', json('POST', body));
}

// ---- uploads ----------------------------------------------------------------

export function createUpload(
  name: string,
  size: number
): Promise<{ id: string }> {
  return requestAPI('uploads', json('POST', { name, size }));
}

export function cancelUpload(id: string): Promise<void> {
  return requestAPI(`uploads/${enc(id)}`, { method: 'DELETE' });
}

/** PUT one chunk of raw bytes at `offset`; resolves to the bytes received so far. */
export async function putChunk(
  id: string,
  offset: number,
  chunk: Blob,
  signal?: AbortSignal,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<number> {
  const url = URLExt.join(
    settings.baseUrl,
    API,
    `uploads/${enc(id)}?offset=${offset}`
  );
  const init: RequestInit = {
    method: 'PUT',
    body: chunk,
    cache: 'no-cache',
    headers: { 'Content-Type': 'application/octet-stream' },
    signal
  };
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    if (signal?.aborted) {
      throw error;
    }
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  if (!response.ok) {
    throw await MoApiError.fromResponse(response);
  }
  const data = (await response.json()) as { received: number };
  return data.received;
}
