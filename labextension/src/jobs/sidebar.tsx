/**
 * The Jobs sidebar: the project's jobs, newest first, with their state,
 * elapsed time, a stop button for active ones and a click to open one.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import {
  ReactWidget,
  UseSignal,
  addIcon,
  deleteIcon,
  refreshIcon,
  stopIcon
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IJob, isFinal } from '../api';
import { IconButton, SidebarHeader, activation } from '../components';
import { STATE_ICONS, jobsIcon } from '../icons';
import { CommandIDs } from '../tokens';
import {
  elapsed,
  endLines,
  formatDuration,
  formatTime,
  stateLabel
} from './format';
import { JobsModel } from './model';

export interface IJobsSidebarOptions {
  model: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
  onDelete: (job: IJob) => void;
}

export class JobsSidebar extends ReactWidget {
  constructor(private _options: IJobsSidebarOptions) {
    super();
    this.id = 'mo-jobs-sidebar';
    this.addClass('mo-Sidebar');
    this.addClass('mo-JobsSidebar');
    this.title.icon = jobsIcon;
    this.title.caption = _options.trans.__('Jobs');
  }

  render(): JSX.Element {
    const { model } = this._options;
    return (
      <UseSignal signal={model.changed}>
        {() => <JobsList {...this._options} />}
      </UseSignal>
    );
  }
}

/** Re-render every second while some job is running, for elapsed times. */
function useTicker(active: boolean): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    if (!active) {
      return;
    }
    const timer = window.setInterval(() => setTick(t => t + 1), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
}

function JobsList(props: IJobsSidebarOptions): JSX.Element {
  const { model, commands, trans } = props;
  const jobs = model.jobs;
  useTicker(jobs.some(j => j.state === 'running'));
  return (
    <div className="mo-JobsSidebar-content">
      <SidebarHeader prefix="mo-JobsSidebar" title={trans.__('Jobs')}>
        <IconButton
          className="mo-JobsSidebar-create"
          icon={addIcon}
          title={trans.__('Create Job')}
          onClick={() => void commands.execute(CommandIDs.createJob)}
        />
        <IconButton
          className="mo-JobsSidebar-refresh"
          icon={refreshIcon}
          title={trans.__('Refresh')}
          onClick={() => void model.refresh().catch(() => undefined)}
        />
      </SidebarHeader>
      {model.error !== null && (
        <div className="mo-Message mo-mod-error mo-JobsSidebar-error" role="alert">
          {trans.__('Cannot load jobs: %1', model.error)}
        </div>
      )}
      {model.loaded && jobs.length === 0 && (
        <div className="mo-JobsSidebar-empty">
          {trans.__(
            'No jobs yet. Run a Python file or a notebook as a job from the file browser, the editor toolbar or the command palette.'
          )}
        </div>
      )}
      <ul className="mo-Sidebar-list mo-JobList" role="list">
        {jobs.map(job => (
          <JobRow key={job.id} job={job} {...props} />
        ))}
      </ul>
    </div>
  );
}

function JobRow(props: IJobsSidebarOptions & { job: IJob }): JSX.Element {
  const { job, commands, trans, onDelete } = props;
  const Icon = STATE_ICONS[job.state] ?? STATE_ICONS.queued;
  const secs = elapsed(job);
  const label = stateLabel(trans, job.state);
  const open = () => void commands.execute(CommandIDs.openJob, { id: job.id });
  const title = [
    `${job.name} (${label})`,
    job.path,
    trans.__('Machine: %1', job.machine),
    trans.__('Created: %1', formatTime(job.created)),
    ...endLines(trans, job)
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <li
      className={`mo-Sidebar-row mo-JobRow mo-mod-${job.state}`}
      data-job-id={job.id}
      data-state={job.state}
      title={title}
      {...activation(open)}
    >
      <span
        className={`mo-JobRow-state mo-StateIcon mo-mod-${job.state}`}
        aria-label={label}
      >
        <Icon.react tag="span" elementSize="normal" />
      </span>
      <span className="mo-JobRow-main">
        <span className="mo-JobRow-name">{job.name}</span>
        <span className="mo-JobRow-path">{job.path}</span>
      </span>
      <span className="mo-JobRow-elapsed">
        {secs === null ? label : formatDuration(secs)}
      </span>
      {!isFinal(job.state) ? (
        <IconButton
          className="mo-JobRow-stop"
          icon={stopIcon}
          title={trans.__('Stop job')}
          onClick={e => {
            e.stopPropagation();
            void commands.execute(CommandIDs.stopJob, { id: job.id });
          }}
        />
      ) : (
        <IconButton
          className="mo-JobRow-delete"
          icon={deleteIcon}
          title={trans.__('Delete job')}
          onClick={e => {
            e.stopPropagation();
            onDelete(job);
          }}
        />
      )}
    </li>
  );
}
