/**
 * Small formatting helpers shared by the sidebar and the job widget.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { IJob, IMachine, JobState } from '../api';

/** Seconds as "1:02:03" / "2:03" / "5s". */
export function formatDuration(seconds: number): string {
  if (!isFinite(seconds) || seconds < 0) {
    seconds = 0;
  }
  const s = Math.floor(seconds % 60);
  const m = Math.floor(seconds / 60) % 60;
  const h = Math.floor(seconds / 3600);
  const pad = (v: number) => String(v).padStart(2, '0');
  if (h > 0) {
    return `${h}:${pad(m)}:${pad(s)}`;
  }
  if (m > 0) {
    return `${m}:${pad(s)}`;
  }
  return `${s}s`;
}

/** Elapsed run time of a job (epoch seconds in, seconds out), or null. */
export function elapsed(job: IJob, now = Date.now() / 1000): number | null {
  if (job.started === null || job.started === undefined) {
    return null;
  }
  const end = job.ended ?? now;
  return Math.max(0, end - job.started);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return '';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function formatTime(epoch: number | null | undefined): string {
  if (epoch === null || epoch === undefined) {
    return '';
  }
  return new Date(epoch * 1000).toLocaleString();
}

export function stateLabel(trans: TranslationBundle, state: JobState): string {
  switch (state) {
    case 'queued':
      return trans.__('Queued');
    case 'running':
      return trans.__('Running');
    case 'completed':
      return trans.__('Completed');
    case 'failed':
      return trans.__('Failed');
    case 'stopped':
      return trans.__('Stopped');
    default:
      return state;
  }
}

/** How a job's exit code reads: "exited with code 1" for a failure, the bare code otherwise. */
export function exitText(trans: TranslationBundle, job: IJob): string {
  const code = job.exit_code;
  if (code === null || code === undefined) {
    return '';
  }
  return code > 0 ? trans.__('exited with code %1', code) : String(code);
}

/**
 * Why a job ended, as the sidebar's tooltip shows it: the error it printed
 * (`KeyError: 'test' (failing.py:6)`, found by the server at the end of its
 * output) and, for a failure, its exit code unless the reason says it.
 */
export function endLines(trans: TranslationBundle, job: IJob): string[] {
  const lines: string[] = [];
  if (job.state === 'failed') {
    if (job.reason) {
      lines.push(trans.__('Error: %1', job.reason));
    }
    const exit = exitText(trans, job);
    if (exit && job.exit_code! > 0 && job.reason !== exit) {
      lines.push(exit);
    }
  } else if (job.reason) {
    lines.push(trans.__('Reason: %1', job.reason));
  }
  return lines;
}

/** The names an environment variable may have (as the job schema says). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Environment variables as `NAME=value` lines, one a line. */
export function formatEnvLines(env: { [key: string]: string } | undefined): string {
  return Object.entries(env ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

/** The result of reading `NAME=value` lines: the variables, or a bad line. */
export interface IEnvParse {
  env: { [key: string]: string };
  /** The first bad line (1-based) and why; null when every line is good. */
  error: { line: number; text: string; why: 'no-equals' | 'bad-name' } | null;
}

/**
 * Read `NAME=value` lines (blank lines skipped, the value is everything after
 * the first `=`, kept as typed; a later line wins over an earlier one).
 */
export function parseEnvLines(text: string): IEnvParse {
  const env: { [key: string]: string } = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) {
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      return { env, error: { line: i + 1, text: line, why: 'no-equals' } };
    }
    const name = line.slice(0, eq).trim();
    if (!ENV_NAME.test(name) || name.length > 256) {
      return { env, error: { line: i + 1, text: line, why: 'bad-name' } };
    }
    env[name] = line.slice(eq + 1);
  }
  return { env, error: null };
}

export type TimeUnit = 'minutes' | 'hours';

/** The longest max run time the server takes (30 days), in seconds. */
export const MAX_RUN_SECONDS = 2592000;

/**
 * A max run time typed in a unit as seconds: null for empty, NaN when it is
 * not a positive number within 1 s .. 30 days.
 */
export function maxRunToSeconds(text: string, unit: TimeUnit): number | null {
  const raw = text.trim();
  if (!raw) {
    return null;
  }
  const n = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !isFinite(n)) {
    return NaN;
  }
  const secs = Math.round(n * (unit === 'hours' ? 3600 : 60));
  return secs >= 1 && secs <= MAX_RUN_SECONDS ? secs : NaN;
}

/** Seconds as a value and unit for the form: whole hours in hours, else minutes. */
export function secondsToMaxRun(seconds: number | null | undefined): {
  value: string;
  unit: TimeUnit;
} {
  if (!seconds || seconds <= 0) {
    return { value: '', unit: 'minutes' };
  }
  if (seconds % 3600 === 0) {
    return { value: String(seconds / 3600), unit: 'hours' };
  }
  const minutes = Math.round((seconds / 60) * 100) / 100;
  return { value: String(minutes), unit: 'minutes' };
}

/** A machine type as the Create Job dialog and the task wizard list it. */
export function machineLabel(trans: TranslationBundle, m: IMachine): string {
  const about = [
    m.cpus ? trans.__('%1 CPU', m.cpus) : '',
    m.memory ? String(m.memory) : '',
    m.gpus ? trans.__('%1 GPU', m.gpus) : '',
    m.image ?? ''
  ].filter(Boolean);
  const label = about.length ? `${m.name} (${about.join(', ')})` : m.name;
  return m.available
    ? label
    : trans.__('%1 (unavailable: %2)', m.name, m.reason ?? '');
}
