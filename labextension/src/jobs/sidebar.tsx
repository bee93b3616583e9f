/**
 * The Jobs sidebar: the project's jobs, newest first, with their state,
 * elapsed time, a stop button for active ones and a click to open one.
 *
 * Jobs are selected to compare them: a checkbox per row, Ctrl/Cmd-click
 * (toggle), Shift-click (a range) or Space on a focused row; **Compare**
 * (2+ selected) runs `mo:compare-jobs` with their ids.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import {
  LabIcon,
  ReactWidget,
  UseSignal,
  addIcon,
  closeIcon,
  deleteIcon,
  refreshIcon,
  stopIcon
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IJob, isFinal } from '../api';
import { compareIcon, newTaskIcon } from '../compare/icons';
import { IconButton, SidebarHeader } from '../components';
import { STATE_ICONS, jobsIcon } from '../icons';
import { TaskDrafts } from '../tasks/drafts';
import { CommandIDs } from '../tokens';
import {
  elapsed,
  endLines,
  formatDuration,
  formatTime,
  stateLabel
} from './format';
import { JobsModel } from './model';

/** The command comparing jobs (compare/plugin.ts), args `{ids}`. */
export const COMPARE_JOBS = 'mo:compare-jobs';
/** The New Training Task wizard (tasks/), shown when registered. */
export const NEW_TRAINING_TASK = 'mo:new-training-task';

export interface IJobsSidebarOptions {
  model: JobsModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
  onDelete: (job: IJob) => void;
}

/** What the rows need of the sidebar's selection. */
interface ISelection {
  has: (id: string) => boolean;
  /** A click with its modifiers, or a checkbox / Space toggle (`toggle`). */
  select: (id: string, how: 'toggle' | 'range') => void;
}

export class JobsSidebar extends ReactWidget {
  constructor(private _options: IJobsSidebarOptions) {
    super();
    this.id = 'mo-jobs-sidebar';
    this.addClass('mo-Sidebar');
    this.addClass('mo-JobsSidebar');
    this.title.icon = jobsIcon;
    this.title.caption = _options.trans.__('Jobs');
    // the New Training Task button shows once its command exists
    _options.commands.commandChanged.connect((_, change) => {
      if (change.id === NEW_TRAINING_TASK || change.type === 'many-changed') {
        this.update();
      }
    }, this);
  }

  /** The selected jobs' ids, in the list's order (newest first). */
  get selectedIds(): string[] {
    return this._options.model.jobs
      .filter(j => this._selected.has(j.id))
      .map(j => j.id);
  }

  set selectedIds(ids: string[]) {
    this._selected = new Set(ids);
    this._anchor = ids.length ? ids[ids.length - 1] : null;
    this.update();
  }

  render(): JSX.Element {
    const { model } = this._options;
    const selection: ISelection = {
      has: id => this._selected.has(id),
      select: (id, how) => this._select(id, how)
    };
    return (
      <UseSignal signal={model.changed}>
        {() => (
          <JobsList
            {...this._options}
            selection={selection}
            selected={this.selectedIds}
            onClear={() => (this.selectedIds = [])}
          />
        )}
      </UseSignal>
    );
  }

  private _select(id: string, how: 'toggle' | 'range'): void {
    const ids = this._options.model.jobs.map(j => j.id);
    if (how === 'range' && this._anchor !== null && ids.includes(this._anchor)) {
      const [a, b] = [ids.indexOf(this._anchor), ids.indexOf(id)].sort(
        (x, y) => x - y
      );
      for (const each of ids.slice(a, b + 1)) {
        this._selected.add(each);
      }
    } else if (this._selected.has(id)) {
      this._selected.delete(id);
    } else {
      this._selected.add(id);
    }
    this._anchor = id;
    this.update();
  }

  private _selected = new Set<string>();
  private _anchor: string | null = null;
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

type ListProps = IJobsSidebarOptions & {
  selection: ISelection;
  selected: string[];
  onClear: () => void;
};

function JobsList(props: ListProps): JSX.Element {
  const { model, commands, trans, selected } = props;
  const jobs = model.jobs;
  useTicker(jobs.some(j => j.state === 'running'));
  const taskIcon = commands.icon(NEW_TRAINING_TASK);
  return (
    <div className="mo-JobsSidebar-content">
      <SidebarHeader prefix="mo-JobsSidebar" title={trans.__('Jobs')}>
        {commands.hasCommand(NEW_TRAINING_TASK) && (
          <IconButton
            className="mo-JobsSidebar-newTask"
            icon={taskIcon instanceof LabIcon ? taskIcon : newTaskIcon}
            title={trans.__('New Training Task')}
            onClick={() => void commands.execute(NEW_TRAINING_TASK)}
          />
        )}
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
      {jobs.length > 1 && (
        <div className="mo-JobsSidebar-selection">
          <span className="mo-JobsSidebar-selectionCount" aria-live="polite">
            {trans.__('%1 selected', selected.length)}
          </span>
          {selected.length > 0 && (
            <IconButton
              className="mo-JobsSidebar-clear"
              icon={closeIcon}
              title={trans.__('Clear the selection')}
              onClick={props.onClear}
            />
          )}
          <button
            className="jp-Button jp-mod-styled jp-mod-accept mo-JobsSidebar-compare"
            disabled={selected.length < 2}
            title={trans.__('Compare the selected jobs: charts and a table')}
            onClick={() =>
              void commands.execute(COMPARE_JOBS, { ids: selected })
            }
          >
            <compareIcon.react tag="span" elementSize="normal" />
            {trans.__('Compare')}
          </button>
        </div>
      )}
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
      <TaskDrafts commands={commands} trans={trans} />
      <ul className="mo-Sidebar-list mo-JobList" role="list">
        {jobs.map(job => (
          <JobRow key={job.id} job={job} {...props} />
        ))}
      </ul>
    </div>
  );
}

function JobRow(props: ListProps & { job: IJob }): JSX.Element {
  const { job, commands, trans, onDelete, selection } = props;
  const selected = selection.has(job.id);
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
      className={`mo-Sidebar-row mo-JobRow mo-mod-${job.state}${
        selected ? ' mo-mod-selected' : ''
      }`}
      data-job-id={job.id}
      data-state={job.state}
      data-selected={selected ? 'true' : 'false'}
      title={title}
      tabIndex={0}
      onClick={e => {
        if (e.ctrlKey || e.metaKey) {
          selection.select(job.id, 'toggle');
        } else if (e.shiftKey) {
          selection.select(job.id, 'range');
        } else {
          open();
        }
      }}
      onKeyDown={e => {
        if (e.target !== e.currentTarget) {
          return;
        }
        if (e.key === 'Enter') {
          open();
        } else if (e.key === ' ') {
          e.preventDefault();
          selection.select(job.id, e.shiftKey ? 'range' : 'toggle');
        }
      }}
    >
      <input
        type="checkbox"
        className="mo-JobRow-select"
        checked={selected}
        aria-label={trans.__('Select %1 to compare', job.name)}
        onClick={e => e.stopPropagation()}
        onChange={() => selection.select(job.id, 'toggle')}
      />
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
