/**
 * The job commands (create, open list, open one, stop, delete, clone,
 * re-run), the Jobs sidebar rows' context menu, the end-of-
 * job notification, and the "Create Job…" button of Python editors.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  MainAreaWidget,
  Notification,
  WidgetTracker,
  showErrorMessage
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';

import {
  IJob,
  deleteJob,
  errorMessage,
  getJob,
  isFinal,
  rerunJob,
  stopJob
} from '../api';
import { contextMenuPath, currentDocument } from '../export';
import { runJobIcon } from '../icons';
import { confirmDelete, openTabCommand } from '../shell';
import { CommandIDs, SettingsHolder } from '../tokens';
import { ICreateJobOptions, showCreateJobDialog } from './dialog';
import { formatEnvLines, secondsToMaxRun } from './format';
import { shellQuote } from './shlex';
import {
  CLONE_JOB,
  JobPanel,
  RERUN_JOB,
  createJobWidget
} from './jobwidget';
import { JobsModel } from './model';

/** The training task wizard's Clone (tasks/plugin.ts). */
const CLONE_TRAINING_TASK = 'mo:clone-training-task';

export const DELETE_JOB = 'mo:delete-job';
export { CLONE_JOB, RERUN_JOB };

export interface IJobCommandsOptions {
  model: JobsModel;
  trans: TranslationBundle;
  settings: SettingsHolder;
  browser: IDefaultFileBrowser | null;
  tracker: WidgetTracker<MainAreaWidget<JobPanel>>;
}

const RUNNABLE = /\.(py|ipynb)$/;

/** The dialog's options pre-filled from a job (Clone). */
function cloneOptions(
  job: IJob,
  trans: TranslationBundle
): ICreateJobOptions {
  const maxRun = secondsToMaxRun(job.max_run_seconds);
  return {
    path: job.path,
    name: job.name,
    args: (job.args ?? []).map(shellQuote).join(' '),
    env: formatEnvLines(job.env),
    description: job.description ?? '',
    maxRun: maxRun.value,
    maxRunUnit: maxRun.unit,
    recognize: job.recognize !== false,
    trans,
    defaultMachine: job.machine,
    defaultBackend: job.backend
  };
}

export function addJobCommands(
  app: JupyterFrontEnd,
  options: IJobCommandsOptions
): void {
  const { model, trans, settings, browser, tracker } = options;
  const { commands, shell } = app;

  const targetPath = (args: any): string => {
    if (typeof args?.path === 'string') {
      return args.path;
    }
    const fromMenu = contextMenuPath(app, browser);
    if (fromMenu) {
      return fromMenu;
    }
    const doc = currentDocument(app);
    return doc && RUNNABLE.test(doc.context.path) ? doc.context.path : '';
  };

  /** Create a job with the dialog, then show it. */
  const createWith = async (dialog: ICreateJobOptions) => {
    const job = await showCreateJobDialog(dialog);
    if (!job) {
      return null;
    }
    model.update(job);
    void model.refresh().catch(() => undefined);
    await commands.execute(CommandIDs.openJob, { id: job.id });
    return job;
  };

  /**
   * The job a command is about: its `id` argument, else the Jobs sidebar row
   * under the context menu, else (the palette) the current job tab.
   */
  const targetJobId = (args: any): string => {
    if (typeof args?.id === 'string' && args.id) {
      return args.id;
    }
    // the palette passes isPalette (the last context menu is stale then)
    const row = args?.isPalette
      ? undefined
      : app.contextMenuHitTest(
          node => node.classList.contains('mo-JobRow') && !!node.dataset.jobId
        );
    return row?.dataset.jobId ?? tracker.currentWidget?.content.jobId ?? '';
  };

  commands.addCommand(CommandIDs.createJob, {
    label: trans.__('Create Job…'),
    caption: trans.__('Run a Python file or a notebook as a job'),
    icon: args => (args.isPalette ? undefined : runJobIcon),
    execute: args =>
      createWith({
        path: targetPath(args),
        trans,
        defaultBackend: settings.current.defaultBackend,
        defaultMachine: settings.current.defaultMachine
      })
  });

  commands.addCommand(CLONE_JOB, {
    label: trans.__('Clone Job…'),
    caption: trans.__(
      'Open the Create Job dialog filled in from this job, to change and run'
    ),
    isEnabled: args => !!targetJobId(args),
    execute: async args => {
      const id = targetJobId(args);
      if (!id) {
        return null;
      }
      let job = model.find(id);
      try {
        // the list may lack fields the job view has (description, env)
        job = await getJob(id);
      } catch (err) {
        if (!job) {
          await showErrorMessage(trans.__('Cannot clone job'), errorMessage(err));
          return null;
        }
      }
      if (job?.task?.id && commands.hasCommand(CLONE_TRAINING_TASK)) {
        // a training task's job: its wizard, pre-filled (the task may have changed since)
        return commands.execute(CLONE_TRAINING_TASK, { id: job.task.id });
      }
      return createWith(cloneOptions(job, trans));
    }
  });

  commands.addCommand(RERUN_JOB, {
    label: trans.__('Re-run Job'),
    caption: trans.__(
      'Run a finished job again as a new job with the same file, arguments, environment and machine'
    ),
    isEnabled: args => {
      const job = model.find(targetJobId(args));
      return !job || isFinal(job.state);
    },
    execute: async args => {
      const id = targetJobId(args);
      if (!id) {
        return null;
      }
      try {
        const job = await rerunJob(id);
        model.update(job);
        await commands.execute(CommandIDs.openJob, { id: job.id });
        return job;
      } catch (err) {
        Notification.error(
          trans.__('Cannot re-run job %1: %2', id, errorMessage(err)),
          { autoClose: 8000 }
        );
        return null;
      } finally {
        void model.refresh().catch(() => undefined);
      }
    }
  });

  let rank = 10;
  for (const command of [CLONE_JOB, RERUN_JOB, DELETE_JOB]) {
    app.contextMenu.addItem({ command, selector: '.mo-JobRow', rank: rank++ });
  }

  commands.addCommand(CommandIDs.openJobs, {
    label: trans.__('Show Jobs'),
    caption: trans.__('Show the Jobs sidebar'),
    execute: () => {
      shell.activateById('mo-jobs-sidebar');
    }
  });

  commands.addCommand(CommandIDs.openJob, {
    label: args =>
      args.id ? trans.__('Open Job %1', args.id as string) : trans.__('Open Job'),
    execute: openTabCommand(
      shell,
      tracker,
      w => w.content.jobId,
      id =>
        createJobWidget({ id, trans, settings: settings.current, model, commands })
    )
  });

  commands.addCommand(CommandIDs.stopJob, {
    label: trans.__('Stop Job'),
    caption: trans.__('Stop a queued or running job'),
    execute: async args => {
      const id = String(args.id ?? '');
      if (!id) {
        return;
      }
      try {
        const job = await stopJob(id);
        model.update(job);
        return job;
      } catch (err) {
        await showErrorMessage(trans.__('Cannot stop job'), errorMessage(err));
      } finally {
        void model.refresh().catch(() => undefined);
      }
    }
  });

  commands.addCommand(DELETE_JOB, {
    label: trans.__('Delete Job'),
    caption: trans.__('Delete a finished job with its log and metrics'),
    execute: async args => {
      const id = targetJobId(args);
      const job = model.find(id);
      if (!id) {
        return;
      }
      if (!args.noConfirm) {
        const sure = await confirmDelete(
          trans,
          trans.__('Delete job'),
          trans.__(
            'Delete job "%1" with its log and metrics?',
            job?.name ?? id
          )
        );
        if (!sure) {
          return;
        }
      }
      try {
        await deleteJob(id);
        tracker.find(w => w.content.jobId === id)?.dispose();
      } catch (err) {
        await showErrorMessage(trans.__('Cannot delete job'), errorMessage(err));
      } finally {
        void model.refresh().catch(() => undefined);
      }
    }
  });

  model.jobEnded.connect((_, job) => {
    if (settings.current.notifyOnEnd) {
      notifyEnded(app, trans, job);
    }
  });
}

function notifyEnded(
  app: JupyterFrontEnd,
  trans: TranslationBundle,
  job: IJob
): void {
  const actions = [
    {
      label: trans.__('Open'),
      caption: trans.__('Open the job'),
      callback: () =>
        void app.commands.execute(CommandIDs.openJob, { id: job.id })
    }
  ];
  const options = { autoClose: 8000, actions };
  switch (job.state) {
    case 'completed':
      Notification.success(trans.__('Job "%1" completed', job.name), options);
      break;
    case 'failed':
      Notification.error(
        job.reason
          ? trans.__('Job "%1" failed: %2', job.name, job.reason)
          : trans.__('Job "%1" failed', job.name),
        options
      );
      break;
    default:
      Notification.info(trans.__('Job "%1" was stopped', job.name), options);
  }
}
