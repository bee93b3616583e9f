/**
 * The job commands (create, open list, open one, stop, delete), the end-of-
 * job notification, and the "Create Job…" button of Python editors.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  MainAreaWidget,
  Notification,
  WidgetTracker,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';

import { IJob, deleteJob, errorMessage, stopJob } from '../api';
import { contextMenuPath, currentDocument } from '../export';
import { runJobIcon } from '../icons';
import { openTabCommand } from '../shell';
import { CommandIDs, SettingsHolder } from '../tokens';
import { showCreateJobDialog } from './dialog';
import { JobPanel, createJobWidget } from './jobwidget';
import { JobsModel } from './model';

export const DELETE_JOB = 'mo:delete-job';

export interface IJobCommandsOptions {
  model: JobsModel;
  trans: TranslationBundle;
  settings: SettingsHolder;
  browser: IDefaultFileBrowser | null;
  tracker: WidgetTracker<MainAreaWidget<JobPanel>>;
}

const RUNNABLE = /\.(py|ipynb)$/;

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

  commands.addCommand(CommandIDs.createJob, {
    label: trans.__('Create Job…'),
    caption: trans.__('Run a Python file or a notebook as a job'),
    icon: args => (args.isPalette ? undefined : runJobIcon),
    execute: async args => {
      const job = await showCreateJobDialog({
        path: targetPath(args),
        trans,
        defaultBackend: settings.current.defaultBackend,
        defaultMachine: settings.current.defaultMachine
      });
      if (!job) {
        return null;
      }
      model.update(job);
      void model.refresh().catch(() => undefined);
      await commands.execute(CommandIDs.openJob, { id: job.id });
      return job;
    }
  });

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
      const id = String(args.id ?? '');
      const job = model.find(id);
      if (!id) {
        return;
      }
      if (!args.noConfirm) {
        const result = await showDialog({
          title: trans.__('Delete job'),
          body: trans.__(
            'Delete job "%1" with its log and metrics?',
            job?.name ?? id
          ),
          buttons: [
            Dialog.cancelButton({ label: trans.__('Cancel') }),
            Dialog.warnButton({ label: trans.__('Delete') })
          ]
        });
        if (!result.button.accept) {
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
