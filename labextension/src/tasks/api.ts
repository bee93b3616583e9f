/**
 * The training tasks' REST client (mo/api/tasks, CONTRACT C): the task view,
 * the algorithms a purpose can train, and the form of one module.
 */
import { IJob, enc, requestAPI } from '../api';
import { IParamsSchema } from './validate';

export type SplitKind = 'dataset' | 'independent' | 'ratio';

export interface ISplit {
  kind: SplitKind;
  /** The train share, 0 < ratio <= 1; absent for an independent test set. */
  ratio?: number;
}

export interface IRef {
  id: string;
  version: string;
}

/** A task as the server shows it. */
export interface ITask {
  id: string;
  name: string;
  description: string;
  state: 'draft' | 'started';
  folder: string;
  purpose?: string;
  module: IRef;
  dataset: IRef;
  split: ISplit;
  params: { [name: string]: unknown };
  backend?: string;
  machine?: string;
  max_run_seconds?: number | null;
  created: number;
  updated?: number;
  jobs: string[];
  last_job: IJob | null;
}

/** What POST / PATCH take (PATCH: any part of it). */
export interface ITaskRequest {
  name: string;
  description?: string;
  folder?: string;
  purpose?: string;
  /** owner/name, optionally @version. */
  module: string;
  dataset: string;
  split: ISplit;
  params?: { [name: string]: unknown };
  backend?: string;
  machine?: string;
  max_run_seconds?: number | null;
  start?: boolean;
}

/** A catalog module that can train. */
export interface IAlgorithm {
  id: string;
  owner: string;
  name: string;
  version: string;
  versions?: string[];
  description?: string;
  group: 'mine' | 'preset' | 'public';
  purposes: string[];
  formats: string[];
  split_param?: string | null;
  data_param?: string | null;
  model_params?: string[];
  start_model_param?: string | null;
}

/** A dataset the module can train on, with the splits allowed. */
export interface IDatasetChoice {
  id: string;
  owner: string;
  name: string;
  version: string;
  purpose?: string;
  format?: string;
  /** The dataset's own train share, or 'independent'. */
  test_set?: number | 'independent' | null;
  description?: string;
  splits: SplitKind[];
}

export interface ITaskForm {
  module: IAlgorithm;
  params_schema: IParamsSchema;
  params_order?: string[];
  datasets: IDatasetChoice[];
}

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  body: body === undefined ? undefined : JSON.stringify(body),
  headers: { 'Content-Type': 'application/json' }
});

export async function listTasks(): Promise<ITask[]> {
  return (await requestAPI<{ tasks: ITask[] }>('tasks')).tasks;
}

export function getTask(id: string): Promise<ITask> {
  return requestAPI<ITask>(`tasks/${enc(id)}`);
}

export function createTask(body: ITaskRequest): Promise<ITask> {
  return requestAPI<ITask>('tasks', json('POST', body));
}

export function updateTask(
  id: string,
  body: Partial<ITaskRequest>
): Promise<ITask> {
  return requestAPI<ITask>(`tasks/${enc(id)}`, json('PATCH', body));
}

export function startTask(id: string): Promise<ITask> {
  return requestAPI<ITask>(`tasks/${enc(id)}/start`, json('POST'));
}

export function deleteTask(id: string): Promise<void> {
  return requestAPI<void>(`tasks/${enc(id)}`, { method: 'DELETE' });
}

export async function listAlgorithms(purpose?: string): Promise<IAlgorithm[]> {
  const q = purpose ? `?purpose=${enc(purpose)}` : '';
  return (
    await requestAPI<{ algorithms: IAlgorithm[] }>(`tasks/algorithms${q}`)
  ).algorithms;
}

export function getTaskForm(module: string): Promise<ITaskForm> {
  return requestAPI<ITaskForm>(`tasks/form?module=${enc(module)}`);
}
