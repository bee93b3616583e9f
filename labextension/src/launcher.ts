/**
 * mo_jupyter's cards in the Launcher (category "Mo"): Create Job…, Deploy…,
 * Jobs, New Module… and New Training Task (New Project from Template… adds
 * its own card). From the Launcher no document is current, so the cards' commands
 * pick their file first: Create Job… takes the file browser's selected .py
 * or notebook (else the dialog opens with an empty File field); Deploy…
 * takes the last active notebook, else the selected .ipynb, else says what
 * to do.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { NEW_MODULE_COMMAND } from './catalog/newmodule';
import { DEPLOY } from './deploy/commands';
import { deployIcon, jobsIcon, runJobIcon } from './icons';
import { selectedPath } from './selection';
import { TASK_COMMANDS, trainTaskIcon } from './tasks/actions';
import { CommandIDs, DOMAIN } from './tokens';

export const LAUNCHER_COMMANDS = {
  createJob: 'mo:launcher-create-job',
  deploy: 'mo:launcher-deploy',
  jobs: 'mo:launcher-jobs',
  trainingTask: 'mo:launcher-training-task'
};

export const launcherPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:launcher',
  description:
    'Mo cards in the Launcher: Create Job…, New Training Task, Deploy… and the Jobs sidebar.',
  autoStart: true,
  requires: [],
  optional: [ILauncher, ITranslator, INotebookTracker, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    launcher: ILauncher | null,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null,
    browser: IDefaultFileBrowser | null
  ) => {
    if (!launcher) {
      return;
    }
    const trans = (translator ?? nullTranslator).load(DOMAIN);
    const { commands } = app;
    const selection = (pattern: RegExp) =>
      browser ? selectedPath(browser.selectedItems(), pattern) : '';

    commands.addCommand(LAUNCHER_COMMANDS.createJob, {
      label: trans.__('Create Job…'),
      caption: trans.__('Run a Python file or a notebook as a job'),
      icon: runJobIcon,
      execute: () =>
        commands.execute(CommandIDs.createJob, {
          path: selection(/\.(py|ipynb)$/)
        })
    });
    commands.addCommand(LAUNCHER_COMMANDS.deploy, {
      label: trans.__('Deploy…'),
      caption: trans.__(
        'Prepare handler.py and app_spec.yml from the notebook and deploy it as a service'
      ),
      icon: deployIcon,
      execute: async () => {
        const current = notebooks?.currentWidget;
        const path =
          current && !current.isDisposed
            ? current.context.path
            : selection(/\.ipynb$/);
        if (!path) {
          await showErrorMessage(
            trans.__('No notebook to deploy'),
            trans.__(
              'Open the notebook to deploy, or select it in the file browser, then click Deploy… again.'
            )
          );
          return;
        }
        return commands.execute(DEPLOY, { path });
      }
    });
    commands.addCommand(LAUNCHER_COMMANDS.jobs, {
      label: trans.__('Jobs'),
      caption: trans.__('Show the Jobs sidebar'),
      icon: jobsIcon,
      execute: () => commands.execute(CommandIDs.openJobs)
    });

    commands.addCommand(LAUNCHER_COMMANDS.trainingTask, {
      label: trans.__('New Training Task'),
      caption: trans.__(
        'Train a catalog algorithm on a dataset without writing code'
      ),
      icon: trainTaskIcon,
      execute: () => commands.execute(TASK_COMMANDS.create, {})
    });

    const category = trans.__('Mo');
    launcher.add({ command: LAUNCHER_COMMANDS.createJob, category, rank: 10 });
    launcher.add({ command: LAUNCHER_COMMANDS.deploy, category, rank: 20 });
    launcher.add({ command: LAUNCHER_COMMANDS.jobs, category, rank: 30 });
    launcher.add({ command: NEW_MODULE_COMMAND, category, rank: 40 });
    launcher.add({
      command: LAUNCHER_COMMANDS.trainingTask,
      category,
      rank: 15
    });
  }
};
