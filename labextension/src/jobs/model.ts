/**
 * The list of the project's jobs, refreshed by a `Poll` with backoff.
 *
 * It emits `changed` when the list differs and `jobEnded` once per job that
 * it saw active and then saw final (whether from the poll or from a job
 * widget's live stream), which is what drives the end-of-job notification.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { IJob, errorMessage, isFinal, listJobs, stateRank } from '../api';

export class JobsModel implements IDisposable {
  constructor(interval = 2000) {
    this._poll = new Poll({
      factory: () => this._fetch(),
      frequency: { interval, backoff: true, max: 30 * 1000 },
      name: 'mo_jupyter:jobs',
      standby: 'when-hidden'
    });
  }

  get jobs(): ReadonlyArray<IJob> {
    return this._jobs;
  }

  /** The last refresh error, or null when the last refresh worked. */
  get error(): string | null {
    return this._error;
  }

  /** Whether a first answer arrived. */
  get loaded(): boolean {
    return this._loaded;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get jobEnded(): ISignal<this, IJob> {
    return this._jobEnded;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  find(id: string): IJob | undefined {
    return this._jobs.find(j => j.id === id);
  }

  /** Refresh now (after an action); resolves when the new list is in. */
  async refresh(): Promise<void> {
    await this._poll.refresh();
    await this._poll.tick;
  }

  /**
   * Merge one job's newer state (e.g. from a live stream). An older state
   * (a stream replaying history) is ignored: states only move forward.
   */
  update(job: IJob): void {
    const i = this._jobs.findIndex(j => j.id === job.id);
    const next = this._jobs.slice();
    if (i >= 0) {
      if (
        stateRank(job.state) < stateRank(next[i].state) ||
        JSON.stringify(next[i]) === JSON.stringify(job)
      ) {
        return;
      }
      next[i] = job;
    } else {
      next.unshift(job);
    }
    this._set(next);
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _fetch(): Promise<void> {
    try {
      const jobs = await listJobs();
      const quiet = this._loaded && this._error === null;
      this._error = null;
      this._loaded = true;
      this._set(jobs, quiet);
    } catch (err) {
      const message = errorMessage(err);
      if (message !== this._error) {
        this._error = message;
        this._changed.emit();
      }
      throw err; // let the poll back off
    }
  }

  /** `quiet`: emit `changed` only if the list differs. */
  private _set(jobs: IJob[], quiet = false): void {
    for (const job of jobs) {
      if (isFinal(job.state)) {
        if (this._active.has(job.id) && !this._notified.has(job.id)) {
          this._notified.add(job.id);
          this._active.delete(job.id);
          this._jobEnded.emit(job);
        }
      } else {
        this._active.add(job.id);
      }
    }
    const same =
      quiet && JSON.stringify(jobs) === JSON.stringify(this._jobs);
    this._jobs = jobs;
    if (!same) {
      this._changed.emit();
    }
  }

  private _poll: Poll;
  private _jobs: IJob[] = [];
  private _error: string | null = null;
  private _loaded = false;
  private _active = new Set<string>();
  private _notified = new Set<string>();
  private _changed = new Signal<this, void>(this);
  private _jobEnded = new Signal<this, IJob>(this);
}
