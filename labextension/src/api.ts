/**
 * The one typed client for the mo_jupyter server API.
 *
 * Every request goes through `ServerConnection` so the token, XSRF cookie and
 * base URL are handled the way JupyterLab handles them for its own services.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { seriesPoints } from './metrics/columns';

export type JobState =
  'queued' | 'running' | 'completed' | 'failed' | 'stopped';

/** States after which a job never changes again. */
export const FINAL_STATES: ReadonlyArray<JobState> = [
  'completed',
  'failed',
  'stopped'
];

export function isFinal(state: JobState): boolean {
  return FINAL_STATES.includes(state);
}

/** queued < running < final: a job's state never goes back. */
export function stateRank(state: JobState): number {
  return isFinal(state) ? 2 : state === 'running' ? 1 : 0;
}

export interface IJob {
  id: string;
  name: string;
  path: string;
  kind: 'python' | 'notebook';
  args: string[];
  env: { [key: string]: string };
  machine: string;
  backend: string;
  state: JobState;
  created: number;
  started: number | null;
  ended: number | null;
  exit_code: number | null;
  reason: string | null;
  command: string[];
  peak_memory: number | null;
  cpu_percent?: number;
  memory?: number;
  description?: string;
  max_run_seconds?: number | null;
  /** false: only Mo's JSON metric lines are charted (absent: recognition on). */
  recognize?: boolean;
  /** Set when a training task started the job (what it trains). */
  task?: IJobTask;
}

/** A catalog module or dataset at a version. */
export interface IVersionRef {
  id: string;
  version?: string;
  path?: string;
}

/** What a training task's job trains (schema/job_request.schema.json `task`). */
export interface IJobTask {
  id: string;
  name?: string;
  module: IVersionRef;
  datasets?: IVersionRef[];
  /** The conf passed to the module's train(conf). */
  conf?: { [key: string]: unknown };
  /** Model files, relative to the job's working directory. */
  model_paths?: string[];
}

export interface IMachine {
  name: string;
  available: boolean;
  reason?: string;
  /** Container backends: what the machine type is. */
  image?: string;
  cpus?: number;
  memory?: string;
  gpus?: number;
}

export interface IConfig {
  machines: IMachine[];
  /** The machine types of every enabled backend. */
  backend_machines?: { [backend: string]: IMachine[] };
  backends: string[];
  default_backend: string;
  default_machine: string;
  root: string;
}

export interface ICreateJob {
  path: string;
  name?: string;
  args?: string[];
  env?: { [key: string]: string };
  machine?: string;
  backend?: string;
  description?: string;
  max_run_seconds?: number;
  /** false: chart only Mo's JSON metric lines. */
  recognize?: boolean;
}

export interface IMetric {
  metric: string;
  value: unknown;
  time: number;
  step?: number;
  epoch?: number;
  nonfinite?: 'NaN' | 'Infinity' | '-Infinity';
  seq: number;
  /** Where it came from: `mo` (a JSON metric line), `keras`, `huggingface`, `lightning`, `tensorboard`. */
  source?: string;
}

/** One metric's points as columns (`GET .../metrics?format=columns`, and in `lines` frames). */
export interface ISeriesColumns {
  metric: string;
  source: string;
  seq: number[];
  value: (number | null)[];
  time: number[];
  step?: (number | null)[];
  epoch?: (number | null)[];
  nonfinite?: { [row: string]: 'NaN' | 'Infinity' | '-Infinity' };
  other?: { [row: string]: unknown };
}

/**
 * A run of seq numbers as the server sends it (expanded by JobStream into
 * `log`, `status` and `metric` events): `chunks` are [seq of the first line,
 * t, stream, lines joined by newlines].
 */
export interface ILinesFrame {
  type: 'lines';
  seq: number;
  next: number;
  chunks: [number, number, 'stdout' | 'stderr', string][];
  events: (ILogEvent | IStatusEvent)[];
  metrics: ISeriesColumns[];
}

export interface ILogChunk {
  offset: number;
  next_offset: number;
  text: string;
  complete: boolean;
}

export interface ILogEvent {
  seq: number;
  type: 'log';
  t: number;
  stream: 'stdout' | 'stderr';
  line: string;
  truncated?: boolean;
  bytes?: number;
  warning?: string;
}

export interface IMetricEvent extends IMetric {
  type: 'metric';
}

export interface IStatusEvent {
  seq: number;
  type: 'status';
  job: IJob;
}

export interface ISnapshotEvent {
  type: 'snapshot';
  job: IJob;
}

export interface IEndEvent {
  type: 'end';
}

/**
 * The current state of a line that has not ended yet (a `\r` progress bar).
 * Transient: no seq, never replayed; `line === ''` removes it.
 */
export interface IProgressEvent {
  type: 'progress';
  stream: 'stdout' | 'stderr';
  line: string;
}

/**
 * What JobStream makes of a `lines` frame's lines and metrics: one event for
 * many (a replay of a million lines is a few dozen of these, not two million
 * events).
 */
export interface IBatchEvent {
  type: 'batch';
  logs: { line: string; stream: 'stdout' | 'stderr' }[];
  metrics: IMetric[];
}

export type StreamEvent =
  | ILogEvent
  | IMetricEvent
  | IStatusEvent
  | ISnapshotEvent
  | IEndEvent
  | IProgressEvent
  | ILinesFrame
  | IBatchEvent;

/**
 * An error from the server, with the server's own message when it sent one.
 */
export class MoApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string | null = null
  ) {
    super(message);
    this.name = 'MoApiError';
  }

  /** Build the error for a non-OK response (JSON `{"message", "reason"?}`). */
  static async fromResponse(response: Response): Promise<MoApiError> {
    let message = '';
    let reason: string | null = null;
    try {
      const text = await response.text();
      try {
        const data = JSON.parse(text);
        message = data?.message ?? '';
        reason = data?.reason ?? null;
      } catch {
        message = text.length < 300 ? text.trim() : '';
      }
    } catch {
      // body unreadable: fall back to the status line below
    }
    if (!message) {
      message = `${response.status} ${response.statusText || 'error'}`;
    }
    return new MoApiError(message, response.status, reason);
  }
}

/** A readable message for anything thrown by the client or the network. */
export function errorMessage(err: unknown): string {
  if (err instanceof MoApiError) {
    return err.message;
  }
  if (err instanceof ServerConnection.NetworkError) {
    return err.message || 'Network error';
  }
  if (err instanceof Error) {
    return err.message;
  }
  return String(err);
}

/** The server extension's REST and websocket prefix. */
export const API = 'mo/api';

/** Low-level request: JSON in and out, errors mapped to MoApiError. */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API, endPoint);
  // 'no-cache' (revalidate) rather than the default 'no-store', which makes
  // ServerConnection append a bare "?<timestamp>" cache buster to the URL.
  init = { cache: 'no-cache', ...init };
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  if (!response.ok) {
    throw await MoApiError.fromResponse(response);
  }
  if (response.status === 204) {
    return undefined as T;
  }
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

function post(body?: unknown): RequestInit {
  return {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  };
}

export const enc = encodeURIComponent;

export function getConfig(): Promise<IConfig> {
  return requestAPI<IConfig>('config');
}

export async function listJobs(): Promise<IJob[]> {
  const data = await requestAPI<{ jobs: IJob[] }>('jobs');
  return data.jobs;
}

export function getJob(id: string): Promise<IJob> {
  return requestAPI<IJob>(`jobs/${enc(id)}`);
}

export function createJob(spec: ICreateJob): Promise<IJob> {
  return requestAPI<IJob>('jobs', post(spec));
}

/** Run a finished job again as a new job (same file, args, env, machine). */
export function rerunJob(id: string): Promise<IJob> {
  return requestAPI<IJob>(`jobs/${enc(id)}/rerun`, post());
}

export function stopJob(id: string): Promise<IJob> {
  return requestAPI<IJob>(`jobs/${enc(id)}/stop`, post());
}

export function deleteJob(id: string): Promise<void> {
  return requestAPI<void>(`jobs/${enc(id)}`, { method: 'DELETE' });
}

/** Every metric of a job as columns, and the last seq they cover. */
export function getMetricColumns(
  id: string
): Promise<{ series: ISeriesColumns[]; seq: number }> {
  return requestAPI<{ series: ISeriesColumns[]; seq: number }>(
    `jobs/${enc(id)}/metrics?format=columns`
  );
}

export function getLog(id: string, offset = 0): Promise<ILogChunk> {
  return requestAPI<ILogChunk>(`jobs/${enc(id)}/log?offset=${offset}`);
}

export async function getMetrics(id: string): Promise<IMetric[]> {
  return seriesPoints((await getMetricColumns(id)).series);
}

/**
 * Export a notebook to a .py file; resolves to the new file's path.
 * Without `overwrite`, an existing .py is a 409 (`reason: "exists"`).
 */
export async function exportNotebook(
  path: string,
  overwrite = false
): Promise<string> {
  const data = await requestAPI<{ path: string }>(
    'export',
    post({ path, overwrite })
  );
  return data.path;
}
