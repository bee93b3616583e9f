/**
 * New Project from Template… (the seeds' 新建项目): in the palette, File >
 * New and the Launcher's Mo cards. The dialog makes the project below the
 * file browser's folder; then the file browser shows the new folder and its
 * first notebook opens.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { newFolderIcon } from '@jupyterlab/ui-components';

import { errorMessage } from '../api';
import { DOMAIN } from '../tokens';
import { listTemplates, templateLanguage } from './api';
import { showNewProjectDialog } from './dialog';

export const NEW_PROJECT = 'mo:new-project';

export const projectPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:project',
  description:
    'New Project from Template…: the tutorial projects (MNIST, iris, text classification) copied into a new folder.',
  autoStart: true,
  requires: [],
  optional: [
    ITranslator,
    ICommandPalette,
    IMainMenu,
    ILauncher,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    mainMenu: IMainMenu | null,
    launcher: ILauncher | null,
    browser: IDefaultFileBrowser | null
  ) => {
    const trans = (translator ?? nullTranslator).load(DOMAIN);
    const lang = templateLanguage((translator ?? nullTranslator).languageCode);
    const { commands, serviceManager } = app;

    /** The names in the file browser's folder (for a unique default). */
    const namesIn = async (cwd: string): Promise<string[]> => {
      try {
        const listing = await serviceManager.contents.get(cwd, {
          content: true
        });
        return (listing.content as { name: string }[]).map(i => i.name);
      } catch {
        return [];
      }
    };

    commands.addCommand(NEW_PROJECT, {
      label: args =>
        args.isLauncher
          ? trans.__('New Project')
          : trans.__('New Project from Template…'),
      caption: trans.__(
        'Copy a tutorial project (MNIST, iris, text classification) into a new folder and open its first notebook'
      ),
      icon: args => (args.isPalette ? undefined : newFolderIcon),
      execute: async args => {
        let templates;
        try {
          templates = await listTemplates();
        } catch (err) {
          Notification.error(
            trans.__(
              'Cannot list the project templates: %1',
              errorMessage(err)
            ),
            { autoClose: false }
          );
          return null;
        }
        const cwd = browser?.model.path ?? '';
        const made = await showNewProjectDialog(
          trans,
          templates,
          lang,
          cwd,
          await namesIn(cwd),
          typeof args.template === 'string' ? args.template : undefined
        );
        if (!made) {
          return null;
        }
        Notification.success(
          trans.__('Made project %1: opening %2', made.path, made.open),
          { autoClose: 5000 }
        );
        try {
          if (browser && made.path !== '.') {
            await browser.model.cd(`/${made.path}`);
            app.shell.activateById(browser.id);
          }
          await commands.execute('docmanager:open', { path: made.open });
        } catch (err) {
          Notification.error(
            trans.__('Cannot open %1: %2', made.open, errorMessage(err))
          );
        }
        return made.path;
      }
    });

    const category = trans.__('Mo');
    palette?.addItem({
      command: NEW_PROJECT,
      category,
      args: { isPalette: true }
    });
    mainMenu?.fileMenu.newMenu.addGroup([{ command: NEW_PROJECT }], 40);
    launcher?.add({
      command: NEW_PROJECT,
      category,
      rank: 0,
      args: { isLauncher: true }
    });
  }
};
