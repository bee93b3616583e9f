/**
 * The models' commands: show the sidebar, open a version's tab, download,
 * delete (refused while a service serves it: the server's message says
 * which), and register a project file by hand from the file browser.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';

import { errorMessage } from '../api';
import { CatalogEvents } from '../catalog/search';
import { contextMenuPath } from '../export';
import { modelsIcon } from '../icons';
import { confirmDelete, openTabCommand } from '../shell';
import { deleteModel, downloadUrl, getModel } from './api';
import { ModelDetails, createModelWidget } from './details';
import { argsKey, downloadName, modelKey, parseModelKey } from './format';
import { ModelCommandIDs as IDs } from './ids';
import { addModelActions } from './actions';
import { showRegisterModelForm } from './register';
import { MODELS_SIDEBAR_ID } from './sidebar';

export interface IModelCommandsOptions {
  trans: TranslationBundle;
  events: CatalogEvents;
  tracker: WidgetTracker<MainAreaWidget<ModelDetails>>;
  browser: IDefaultFileBrowser | null;
}

type Target = { name: string; version: number };

export function addModelCommands(
  app: JupyterFrontEnd,
  options: IModelCommandsOptions
): void {
  const { trans, events, tracker, browser } = options;
  const { commands, shell } = app;

  /**
   * The version a command is about: its arguments, else the sidebar's
   * version row under the context menu, else the current model tab.
   */
  const target = (args: { [key: string]: unknown }): Target | null => {
    const fromArgs = argsKey(args);
    if (fromArgs) {
      return fromArgs;
    }
    const row = args.isPalette
      ? undefined
      : app.contextMenuHitTest(
          node =>
            node.classList.contains('mo-ModelVersionRow') &&
            !!node.dataset.model
        );
    if (row?.dataset.model && row.dataset.version) {
      return { name: row.dataset.model, version: Number(row.dataset.version) };
    }
    const current = tracker.currentWidget?.content;
    return current ? { ...current.options } : null;
  };

  commands.addCommand(IDs.openModels, {
    label: trans.__('Show Models'),
    caption: trans.__('Show the Models sidebar: the models jobs trained'),
    icon: args => (args.isPalette ? undefined : modelsIcon),
    execute: () => shell.activateById(MODELS_SIDEBAR_ID)
  });

  const openTab = openTabCommand(
    shell,
    tracker,
    w => w.content.key,
    id => {
      const { name, version } = parseModelKey(id)!;
      return createModelWidget({ name, version, trans, commands });
    }
  );
  commands.addCommand(IDs.openModel, {
    label: args => {
      const t = argsKey(args);
      return t
        ? trans.__('Open Model %1 v%2', t.name, t.version)
        : trans.__('Open Model');
    },
    execute: args => {
      const t = argsKey(args) ?? target(args);
      return t ? openTab({ id: modelKey(t.name, t.version) }) : undefined;
    }
  });

  commands.addCommand(IDs.downloadModel, {
    label: trans.__('Download Model'),
    caption: trans.__('Download the model files as one zip'),
    isEnabled: args => target(args) !== null,
    execute: async args => {
      const t = target(args);
      if (!t) {
        return null;
      }
      try {
        // a clear message for a version deleted meanwhile (a link would save an error page)
        await getModel(t.name, t.version);
      } catch (err) {
        Notification.error(
          trans.__(
            'Cannot download model %1 version %2: %3',
            t.name,
            t.version,
            errorMessage(err)
          ),
          { autoClose: 8000 }
        );
        return null;
      }
      const a = document.createElement('a');
      a.href = downloadUrl(t.name, t.version);
      a.download = downloadName(t.name, t.version);
      a.rel = 'noopener';
      document.body.appendChild(a);
      a.click();
      a.remove();
      return a.download;
    }
  });

  commands.addCommand(IDs.deleteModel, {
    label: trans.__('Delete Model Version…'),
    caption: trans.__('Delete a model version and its files'),
    isEnabled: args => target(args) !== null,
    execute: async args => {
      const t = target(args);
      if (!t) {
        return false;
      }
      if (!args.noConfirm) {
        const sure = await confirmDelete(
          trans,
          trans.__('Delete model version'),
          trans.__(
            'Delete version %2 of model "%1" with its files? The job that wrote it and its results folder stay.',
            t.name,
            t.version
          )
        );
        if (!sure) {
          return false;
        }
      }
      try {
        await deleteModel(t.name, t.version);
      } catch (err) {
        // 409: a service serves it, and the server's message names the service
        Notification.error(
          trans.__(
            'Cannot delete model %1 version %2: %3',
            t.name,
            t.version,
            errorMessage(err)
          ),
          { autoClose: false }
        );
        return false;
      }
      tracker
        .find(w => w.content.key === modelKey(t.name, t.version))
        ?.dispose();
      events.emit('');
      Notification.success(
        trans.__('Deleted model %1 version %2', t.name, t.version),
        { autoClose: 4000 }
      );
      return true;
    }
  });

  /** The path argument, else the file under the context menu, else the one file selected. */
  const registerPath = (args: { [key: string]: unknown }): string | null => {
    if (typeof args.path === 'string' && args.path) {
      return args.path;
    }
    const fromMenu = contextMenuPath(app, browser);
    if (fromMenu || !browser) {
      return fromMenu;
    }
    const selected = Array.from(browser.selectedItems());
    return selected.length === 1 && selected[0].type !== 'directory'
      ? selected[0].path
      : null;
  };
  commands.addCommand(IDs.registerModel, {
    label: args =>
      args.isContextMenu
        ? trans.__('Register as Model…')
        : trans.__('Register File as Model…'),
    caption: trans.__(
      'Make a model version of a project file (weights, a pickle, an ONNX file…)'
    ),
    icon: args => (args.isContextMenu ? modelsIcon : undefined),
    isEnabled: args => registerPath(args) !== null,
    execute: async args => {
      const path = registerPath(args);
      if (!path) {
        return null;
      }
      const record = await showRegisterModelForm(trans, path);
      if (!record) {
        return null;
      }
      events.emit('');
      Notification.success(
        trans.__(
          'Registered %1 as model %2 version %3',
          path,
          record.name,
          record.version
        ),
        {
          autoClose: 6000,
          actions: [
            {
              label: trans.__('Open'),
              callback: () =>
                void commands.execute(IDs.openModel, {
                  name: record.name,
                  version: record.version
                })
            }
          ]
        }
      );
      return record.id;
    }
  });
  app.contextMenu.addItem({
    command: IDs.registerModel,
    args: { isContextMenu: true },
    selector: '.jp-DirListing-item[data-isdir="false"]',
    rank: 13
  });

  // Deploy, Publish to Catalog, Transfer Training: a tab open on the version shows the change
  addModelActions(app, trans, browser, target, () => {
    events.emit('');
    tracker.forEach(w => void w.content.reload());
  });

  let rank = 10;
  for (const command of [
    IDs.openModel,
    IDs.deployModel,
    IDs.transferModel,
    IDs.publishModel,
    IDs.downloadModel,
    IDs.deleteModel
  ]) {
    app.contextMenu.addItem({
      command,
      selector: '.mo-ModelVersionRow',
      rank: rank++
    });
  }
}
