/**
 * The deploy commands and their places: "Deploy…" (mo:deploy) saves the
 * notebook and opens its deploy wizard; a notebook toolbar button, the
 * palette, and the Deploy sidebar with the seeds' three steps.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  showErrorMessage
} from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { errorMessage } from '../api';
import { targetNotebook } from '../catalog/insert';
import { deployIcon } from '../icons';
import { CommandButtonExtension } from '../toolbar';
import { DeploySidebar } from './sidebar';
import { DeployWizard, STEPS, StepName } from './wizard';

export const DEPLOY = 'mo:deploy';
export const OPEN_DEPLOY_SIDEBAR = 'mo:open-deploy';

export interface IDeployOptions {
  trans: TranslationBundle;
  notebooks: INotebookTracker;
  palette: ICommandPalette | null;
}

export function wizardId(path: string): string {
  return `mo-deploy-${path.replace(/[^\w.-]/g, '_')}`;
}

/** The notebook to deploy: the open one at `path`, or the current one. */
async function findNotebook(
  notebooks: INotebookTracker,
  trans: TranslationBundle,
  path?: string
): Promise<NotebookPanel | null> {
  if (path) {
    const open = notebooks.find(w => w.context.path === path);
    if (open) {
      await open.context.ready;
      return open;
    }
    return null;
  }
  return targetNotebook({ tracker: notebooks, trans });
}

export function addDeployCommands(
  app: JupyterFrontEnd,
  options: IDeployOptions
): DeploySidebar {
  const { trans, notebooks, palette } = options;

  app.commands.addCommand(DEPLOY, {
    label: trans.__('Deploy…'),
    caption: trans.__(
      'Prepare handler.py and app_spec.yml from the notebook and deploy it as a service'
    ),
    icon: args => (args.isPalette ? undefined : deployIcon),
    execute: async args => {
      let path = typeof args.path === 'string' ? args.path : undefined;
      const step = STEPS.includes(args.step as StepName)
        ? (args.step as StepName)
        : undefined;
      const panel = await findNotebook(notebooks, trans, path);
      if (!panel && !path) {
        return;
      }
      if (panel) {
        path = panel.context.path;
        try {
          await panel.context.save();
        } catch (err) {
          await showErrorMessage(
            trans.__('Cannot save the notebook'),
            errorMessage(err)
          );
          return;
        }
      }
      if (!path!.endsWith('.ipynb')) {
        await showErrorMessage(
          trans.__('Not a notebook'),
          trans.__('The deploy wizard works on a notebook (.ipynb): %1', path!)
        );
        return;
      }
      const id = wizardId(path!);
      for (const w of app.shell.widgets('main')) {
        if (w.id === id && w instanceof MainAreaWidget) {
          (w.content as DeployWizard).reload(step);
          app.shell.activateById(id);
          return w;
        }
      }
      const content = new DeployWizard({
        app,
        path: path!,
        contents: app.serviceManager.contents,
        trans,
        step
      });
      const widget = new MainAreaWidget({ content });
      widget.id = id;
      widget.title.label = trans.__('Deploy %1', path!.split('/').pop()!);
      widget.title.caption = trans.__('Deploy wizard of %1', path!);
      widget.title.icon = deployIcon;
      widget.title.closable = true;
      app.shell.add(widget, 'main');
      app.shell.activateById(id);
      return widget;
    }
  });

  app.docRegistry.addWidgetExtension(
    'Notebook',
    new CommandButtonExtension(app, {
      command: DEPLOY,
      name: 'mo-deploy',
      className: 'mo-DeployButton',
      icon: deployIcon,
      tooltip: trans.__('Deploy this notebook as a service')
    })
  );

  const sidebar = new DeploySidebar({ app, commands: app.commands, trans });
  app.shell.add(sidebar, 'left', { rank: 760 });
  app.commands.addCommand(OPEN_DEPLOY_SIDEBAR, {
    label: trans.__('Show the Deploy Sidebar'),
    execute: () => app.shell.activateById(sidebar.id)
  });

  if (palette) {
    const category = trans.__('Mo');
    palette.addItem({ command: DEPLOY, category, args: { isPalette: true } });
    palette.addItem({ command: OPEN_DEPLOY_SIDEBAR, category });
  }
  app.contextMenu.addItem({
    command: DEPLOY,
    selector: '.jp-Notebook .jp-Cell',
    rank: 61
  });
  return sidebar;
}
