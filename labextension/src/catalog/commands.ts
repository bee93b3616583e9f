/**
 * The catalog's wiring: the Modules and Datasets sidebars, the details tabs
 * (one per module / dataset, restored with the layout), the module and
 * publish commands, the palette and the file browser's context menu.
 */
import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';

import { contextMenuPath } from '../export';
import { modulesIcon, publishIcon } from '../icons';
import { openTabCommand } from '../shell';
import { ModuleAction } from './api';
import { addDatasetCommands } from './datasetcommands';
import { DatasetDetails } from './datasetdetails';
import { DATASETS_SIDEBAR_ID, DatasetsSidebar } from './datasetsidebar';
import { CatalogCommandIDs as IDs } from './ids';
import { insertModuleCode } from './insert';
import { moduleAdminActions } from './moduleadmin';
import { ModuleDetails, createModuleWidget } from './moduledetails';
import { MODULES_SIDEBAR_ID, ModulesSidebar } from './modulesidebar';
import { NEW_MODULE_COMMAND, showNewModuleForm } from './newmodule';
import { publishFolder } from './publish';
import { CatalogEvents } from './search';

export interface ICatalogOptions {
  trans: TranslationBundle;
  notebooks: INotebookTracker;
  rendermime: IRenderMimeRegistry;
  palette: ICommandPalette | null;
  restorer: ILayoutRestorer | null;
  browser: IDefaultFileBrowser | null;
}

/** Rank of the sidebars in the left area: after the Jobs sidebar (700). */
const MODULES_RANK = 710;
const DATASETS_RANK = 720;

export function activateCatalog(
  app: JupyterFrontEnd,
  options: ICatalogOptions
): CatalogEvents {
  const { trans, notebooks, rendermime, palette, restorer, browser } = options;
  const { commands, shell } = app;
  const events = new CatalogEvents();
  const modules = new WidgetTracker<MainAreaWidget<ModuleDetails>>({
    namespace: 'mo-module'
  });
  const datasets = new WidgetTracker<MainAreaWidget<DatasetDetails>>({
    namespace: 'mo-dataset'
  });
  const insertOptions = { tracker: notebooks, trans };

  // ---- modules ---------------------------------------------------------------
  const insert = (id: string, version: string, action: ModuleAction) =>
    insertModuleCode(insertOptions, id, version, action);
  const admin = moduleAdminActions({ trans, events });

  commands.addCommand(IDs.openModules, {
    label: trans.__('Show Modules'),
    caption: trans.__('Search the modules of the catalogs'),
    execute: () => shell.activateById(MODULES_SIDEBAR_ID)
  });

  commands.addCommand(IDs.openModule, {
    label: args =>
      args.id
        ? trans.__('Open Module %1', args.id as string)
        : trans.__('Open Module'),
    execute: openTabCommand(
      shell,
      modules,
      w => w.content.moduleId,
      (id, args) => {
        const version =
          typeof args.version === 'string' ? args.version : undefined;
        const widget = createModuleWidget({
          id,
          version,
          trans,
          rendermime,
          insert,
          events,
          admin,
          onGone: () => widget.dispose()
        });
        return widget;
      }
    )
  });

  commands.addCommand(IDs.insertModule, {
    label: args =>
      args.action === 'train'
        ? trans.__('Insert Module Train Code')
        : trans.__('Insert Module into Notebook'),
    caption: trans.__(
      'Copy the module next to the current notebook and insert code that uses it'
    ),
    isEnabled: args => !!args.id || !!modules.currentWidget,
    execute: args => {
      const current = modules.currentWidget?.content;
      const id = typeof args.id === 'string' ? args.id : current?.moduleId;
      if (!id) {
        return null;
      }
      const version =
        typeof args.version === 'string'
          ? args.version
          : current?.moduleId === id
            ? current.currentVersion
            : '';
      const action = (
        ['predict', 'train', 'run'].includes(args.action as string)
          ? args.action
          : current?.moduleId === id
            ? (current.currentAction ?? 'predict')
            : 'predict'
      ) as ModuleAction;
      return version ? insert(id, version, action) : null;
    }
  });

  // ---- publish ---------------------------------------------------------------
  const publishPath = (args: any): string | null => {
    if (typeof args?.path === 'string') {
      return args.path;
    }
    const fromMenu = contextMenuPath(app, browser);
    if (fromMenu !== null) {
      return fromMenu;
    }
    return browser ? browser.model.path.replace(/^[^/:]+:/, '') : null;
  };
  commands.addCommand(IDs.publishModule, {
    label: args =>
      args.isContextMenu
        ? trans.__('Publish as Module…')
        : trans.__('Publish Module…'),
    caption: trans.__(
      'Publish a project folder with a module_spec.yml as a module version'
    ),
    icon: args => (args.isPalette ? undefined : publishIcon),
    execute: async args => {
      const path = publishPath(args);
      if (path === null) {
        return null;
      }
      const module = await publishFolder(trans, path);
      if (module) {
        events.emit(module.id);
      }
      return module ? module.id : null;
    }
  });
  app.contextMenu.addItem({
    command: IDs.publishModule,
    args: { isContextMenu: true },
    selector: '.jp-DirListing-item[data-isdir="true"]',
    rank: 12
  });

  // ---- new module (module_spec.yml, main.py, README.md from a form) ----------
  commands.addCommand(NEW_MODULE_COMMAND, {
    label: args =>
      args.isContextMenu
        ? trans.__('New Module Here…')
        : trans.__('New Module…'),
    caption: trans.__(
      'Make a module folder (module_spec.yml, main.py, README.md) from a short form, ready to publish'
    ),
    icon: args => (args.isPalette ? undefined : modulesIcon),
    execute: async args => {
      const folder = publishPath(args) ?? '';
      const made = await showNewModuleForm(trans, folder);
      if (!made) {
        return null;
      }
      Notification.success(
        trans.__(
          'Made module %1 in %2: fill in main.py, then publish it',
          made.name,
          made.path
        ),
        {
          autoClose: 8000,
          actions: [
            {
              label: trans.__('Publish…'),
              callback: () =>
                void commands.execute(IDs.publishModule, { path: made.path })
            }
          ]
        }
      );
      await commands.execute('docmanager:open', { path: made.main });
      return made.path;
    }
  });
  app.contextMenu.addItem({
    command: NEW_MODULE_COMMAND,
    args: { isContextMenu: true },
    selector: '.jp-DirListing-item[data-isdir="true"]',
    rank: 11
  });

  // ---- datasets --------------------------------------------------------------
  addDatasetCommands(app, { trans, events, notebooks, tracker: datasets });

  commands.addCommand(IDs.openDatasets, {
    label: trans.__('Show Datasets'),
    caption: trans.__('Search, create and upload datasets'),
    execute: () => shell.activateById(DATASETS_SIDEBAR_ID)
  });

  // ---- sidebars, palette, restorer ------------------------------------------
  const modulesSidebar = new ModulesSidebar({ commands, trans, events });
  shell.add(modulesSidebar, 'left', { rank: MODULES_RANK });
  const datasetsSidebar = new DatasetsSidebar({ commands, trans, events });
  shell.add(datasetsSidebar, 'left', { rank: DATASETS_RANK });

  if (palette) {
    const category = trans.__('Mo');
    for (const command of [
      IDs.openModules,
      IDs.insertModule,
      NEW_MODULE_COMMAND,
      IDs.publishModule,
      IDs.openDatasets,
      IDs.newDataset,
      IDs.insertDataset,
      IDs.uploadDataset,
      IDs.editDataset,
      IDs.deleteDataset
    ]) {
      palette.addItem({ command, category, args: { isPalette: true } });
    }
    palette.addItem({
      command: IDs.insertModule,
      category,
      args: { isPalette: true, action: 'train' }
    });
    for (const status of ['online', 'offline']) {
      palette.addItem({
        command: IDs.setDatasetStatus,
        category,
        args: { status }
      });
    }
    for (const permission of ['private', 'public']) {
      palette.addItem({
        command: IDs.setDatasetPermission,
        category,
        args: { permission }
      });
    }
  }

  if (restorer) {
    restorer.add(modulesSidebar, MODULES_SIDEBAR_ID);
    restorer.add(datasetsSidebar, DATASETS_SIDEBAR_ID);
    void restorer.restore(modules, {
      command: IDs.openModule,
      args: w => ({ id: w.content.moduleId }),
      name: w => w.content.moduleId
    });
    void restorer.restore(datasets, {
      command: IDs.openDataset,
      args: w => ({ id: w.content.datasetId }),
      name: w => w.content.datasetId
    });
  }
  return events;
}
