/**
 * The Details tab: every field of a job, as a two-column table.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { IJob } from '../api';
import {
  elapsed,
  exitText,
  formatBytes,
  formatDuration,
  formatTime,
  stateLabel
} from './format';

export class JobDetails extends Widget {
  constructor(private _trans: TranslationBundle) {
    super();
    this.addClass('mo-JobDetails');
  }

  setJob(job: IJob): void {
    this._job = job;
    const t = this._trans;
    const secs = elapsed(job);
    const env = Object.entries(job.env ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    const rows: [string, string, string][] = [
      ['name', t.__('Name'), job.name],
      ['description', t.__('Description'), job.description ?? ''],
      ['path', t.__('File'), job.path],
      ['kind', t.__('Kind'), job.kind],
      ['state', t.__('State'), stateLabel(t, job.state)],
      ['backend', t.__('Backend'), job.backend],
      ['machine', t.__('Machine'), job.machine],
      ['command', t.__('Command'), (job.command ?? []).map(quote).join(' ')],
      ['args', t.__('Arguments'), (job.args ?? []).map(quote).join(' ')],
      ['env', t.__('Environment'), env],
      [
        'max_run_seconds',
        t.__('Max run time'),
        job.max_run_seconds ? formatDuration(job.max_run_seconds) : ''
      ],
      [
        'recognize',
        t.__('Framework metrics'),
        job.recognize === false ? t.__('off: only JSON metric lines') : ''
      ],
      ['created', t.__('Created'), formatTime(job.created)],
      ['started', t.__('Started'), formatTime(job.started)],
      ['ended', t.__('Ended'), formatTime(job.ended)],
      ['elapsed', t.__('Elapsed'), secs === null ? '' : formatDuration(secs)],
      ['exit_code', t.__('Exit code'), exitText(t, job)],
      [
        'reason',
        job.state === 'failed' ? t.__('Error') : t.__('Reason'),
        job.reason ?? ''
      ],
      ['peak_memory', t.__('Peak memory'), formatBytes(job.peak_memory)],
      ['memory', t.__('Memory'), formatBytes(job.memory)],
      [
        'cpu_percent',
        t.__('CPU'),
        job.cpu_percent === undefined ? '' : `${job.cpu_percent.toFixed(0)} %`
      ],
      ['id', t.__('Id'), job.id]
    ];
    const table = document.createElement('table');
    table.className = 'mo-Table mo-JobDetails-table';
    const body = table.createTBody();
    for (const [key, label, value] of rows) {
      if (
        !value &&
        [
          'memory',
          'cpu_percent',
          'description',
          'max_run_seconds',
          'recognize'
        ].includes(key)
      ) {
        continue;
      }
      const tr = body.insertRow();
      tr.dataset.field = key;
      const th = document.createElement('th');
      th.textContent = label;
      tr.appendChild(th);
      const td = tr.insertCell();
      td.textContent = value;
      if (key === 'description') {
        td.style.whiteSpace = 'pre-wrap';
      }
    }
    this.node.textContent = '';
    this.node.appendChild(table);
  }

  get job(): IJob | null {
    return this._job;
  }

  private _job: IJob | null = null;
}

/** Quote an argument for display when it needs it (shell-like). */
function quote(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) {
    return arg;
  }
  return `'${arg.replace(/'/g, '\'"\'"\'')}'`;
}
