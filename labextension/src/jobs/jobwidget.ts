/**
 * The job main-area widget: Log, Metrics and Details tabs, fed live by the
 * job's websocket stream (which replays history first, then follows).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  ToolbarButton,
  copyIcon,
  refreshIcon,
  stopIcon
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { TabPanel, Widget } from '@lumino/widgets';

import {
  IJob,
  MoApiError,
  StreamEvent,
  errorMessage,
  getJob,
  getMetricColumns,
  isFinal,
  stateRank
} from '../api';
import { JobStream } from '../stream';
import { STATE_ICONS } from '../icons';
import { MetricsPanel } from '../metrics/panel';
import { CommandIDs, IMoSettings } from '../tokens';
import { JobDetails } from './details';
import { stateLabel } from './format';
import { LogView } from './logview';
import { JobsModel } from './model';

export interface IJobPanelOptions {
  id: string;
  trans: TranslationBundle;
  settings: IMoSettings;
  model: JobsModel;
  commands: CommandRegistry;
}

export class JobPanel extends TabPanel {
  constructor(options: IJobPanelOptions) {
    super();
    const { trans, settings } = options;
    this.jobId = options.id;
    this._options = options;
    this.addClass('mo-JobPanel');
    this.node.dataset.jobId = options.id;

    this.log = new LogView(trans, settings.followLog);
    this.log.title.label = trans.__('Log');
    this.log.title.className = 'mo-JobTab-log';
    this.metrics = new MetricsPanel(trans, settings.defaultXAxis);
    this.metrics.title.label = trans.__('Metrics');
    this.metrics.title.className = 'mo-JobTab-metrics';
    this.details = new JobDetails(trans);
    this.details.title.label = trans.__('Details');
    this.details.title.className = 'mo-JobTab-details';
    this.addWidget(this.log);
    this.addWidget(this.metrics);
    this.addWidget(this.details);

    this._status = new Widget();
    this._status.addClass('mo-JobStatus');

    this.stream = new JobStream(options.id);
    this.stream.event.connect(this._onEvent, this);
    this.stream.connectionChanged.connect((_, open) => {
      this.toggleClass('mo-mod-disconnected', !open && !this.stream.ended);
      this._renderStatus();
      if (!open && !this.stream.ended && !this.stream.isDisposed) {
        this._checkGone();
      }
    });
    void this._connect();

    const known = options.model.find(options.id);
    if (known) {
      this._setJob(known);
    }
    // The job list's poll carries live memory / CPU; status events only state changes.
    options.model.changed.connect(this._onModelChanged, this);
    getJob(options.id)
      .then(job => {
        if (!this._job) {
          this._setJob(job);
        }
      })
      .catch(err => {
        if (!this._job) {
          this._error = errorMessage(err);
          this._renderStatus();
        }
      });
  }

  readonly jobId: string;
  readonly log: LogView;
  readonly metrics: MetricsPanel;
  readonly details: JobDetails;
  readonly stream: JobStream;

  get job(): IJob | null {
    return this._job;
  }

  /** The state readout shown in the toolbar. */
  get statusWidget(): Widget {
    return this._status;
  }

  get jobChanged(): ((job: IJob) => void) | null {
    return this._onJob;
  }

  set jobChanged(fn: ((job: IJob) => void) | null) {
    this._onJob = fn;
  }

  refreshTheme(): void {
    this.metrics.refreshTheme();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.stream.dispose();
    super.dispose();
  }

  /**
   * The metrics first, as columns in one request (a million points draw in
   * well under a second), then the stream: the log from the start, metrics
   * only after those.
   */
  private async _connect(): Promise<void> {
    try {
      const { series, seq } = await getMetricColumns(this.jobId);
      if (this.isDisposed) {
        return;
      }
      this.metrics.addColumns(series);
      this.stream.metricsAfter = seq;
      // drawn before the log's replay takes the main thread
      await new Promise(resolve => requestAnimationFrame(resolve));
    } catch {
      // the stream brings them (and says what is wrong, if anything is)
    }
    this.stream.connect();
  }

  /** After a lost connection: stop retrying if the job no longer exists. */
  private _checkGone(): void {
    getJob(this.jobId).catch(err => {
      if (err instanceof MoApiError && err.status === 404) {
        this.stream.dispose();
        this._job = null;
        this._error = errorMessage(err);
        this.node.dataset.state = 'deleted';
        this._renderStatus();
      }
    });
  }

  private _onEvent(_: JobStream, event: StreamEvent): void {
    switch (event.type) {
      case 'log':
        this.log.append(event);
        break;
      case 'metric':
        this.metrics.add(event);
        break;
      case 'batch':
        this.log.appendMany(event.logs);
        this.metrics.addMany(event.metrics);
        break;
      case 'progress':
        this.log.progress(event.stream, event.line);
        break;
      case 'snapshot':
      case 'status':
        this._setJob(event.job);
        break;
      case 'end':
        this._renderStatus();
        break;
    }
  }

  private _onModelChanged(): void {
    const fresh = this._options.model.find(this._options.id);
    if (fresh && this._job && fresh.state === this._job.state) {
      this._job = { ...this._job, ...fresh };
      this.details.setJob(this._job);
    }
  }

  private _setJob(job: IJob): void {
    if (this._job && stateRank(job.state) < stateRank(this._job.state)) {
      return; // a replayed older status
    }
    this._job = job;
    this._error = null;
    this.details.setJob(job);
    this.node.dataset.state = job.state;
    this._options.model.update(job);
    this._renderStatus();
    this._onJob?.(job);
  }

  private _renderStatus(): void {
    const { trans } = this._options;
    const node = this._status.node;
    node.textContent = '';
    const job = this._job;
    if (!job) {
      node.textContent = this._error
        ? trans.__('Error: %1', this._error)
        : trans.__('Loading…');
      return;
    }
    node.dataset.state = job.state;
    const icon = document.createElement('span');
    STATE_ICONS[job.state]?.element({ container: icon, elementSize: 'normal' });
    icon.className = `mo-JobStatus-icon mo-StateIcon mo-mod-${job.state}`;
    node.appendChild(icon);
    const text = document.createElement('span');
    let label = stateLabel(trans, job.state);
    if (isFinal(job.state) && job.exit_code !== null) {
      label = trans.__('%1 (exit code %2)', label, job.exit_code);
    }
    if (!isFinal(job.state) && !this.stream.ended && this.hasClass('mo-mod-disconnected')) {
      label = trans.__('%1, reconnecting…', label);
    }
    text.textContent = label;
    node.appendChild(text);
  }

  private _options: IJobPanelOptions;
  private _job: IJob | null = null;
  private _error: string | null = null;
  private _status: Widget;
  private _onJob: ((job: IJob) => void) | null = null;
}

export const CLONE_JOB = 'mo:clone-job';
export const RERUN_JOB = 'mo:rerun-job';

/**
 * Wrap a JobPanel in a MainAreaWidget with stop, re-run and clone buttons
 * and the state.
 */
export function createJobWidget(
  options: IJobPanelOptions
): MainAreaWidget<JobPanel> {
  const { trans, commands } = options;
  const content = new JobPanel(options);
  const widget = new MainAreaWidget({ content });
  widget.id = `mo-job-${options.id}`;
  widget.addClass('mo-JobWidget');
  widget.title.label = trans.__('Job %1', options.id);
  widget.title.closable = true;

  const stop = new ToolbarButton({
    icon: stopIcon,
    className: 'mo-JobStopButton',
    label: trans.__('Stop'),
    tooltip: trans.__('Stop this job'),
    enabled: false,
    onClick: () =>
      void commands.execute(CommandIDs.stopJob, { id: options.id })
  });
  widget.toolbar.addItem('stop', stop);
  const rerun = new ToolbarButton({
    icon: refreshIcon,
    className: 'mo-JobRerunButton',
    label: trans.__('Re-run'),
    tooltip: trans.__('Run this job again as a new job'),
    enabled: false,
    onClick: () => void commands.execute(RERUN_JOB, { id: options.id })
  });
  widget.toolbar.addItem('rerun', rerun);
  widget.toolbar.addItem(
    'clone',
    new ToolbarButton({
      icon: copyIcon,
      className: 'mo-JobCloneButton',
      label: trans.__('Clone'),
      tooltip: trans.__('Create a new job filled in from this one'),
      onClick: () => void commands.execute(CLONE_JOB, { id: options.id })
    })
  );
  widget.toolbar.addItem('status', content.statusWidget);

  const sync = (job: IJob) => {
    widget.title.label = job.name || trans.__('Job %1', job.id);
    widget.title.caption = `${job.name} — ${stateLabel(trans, job.state)}\n${job.path}`;
    widget.title.icon = STATE_ICONS[job.state];
    widget.title.className = `mo-JobTitle mo-mod-${job.state}`;
    stop.enabled = !isFinal(job.state);
    rerun.enabled = isFinal(job.state);
  };
  content.jobChanged = sync;
  if (content.job) {
    sync(content.job);
  }
  return widget;
}
