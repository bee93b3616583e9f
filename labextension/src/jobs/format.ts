/**
 * Small formatting helpers shared by the sidebar and the job widget.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { IJob, JobState } from '../api';

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
