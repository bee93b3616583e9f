/**
 * Models (issue 11 §3): the Models sidebar, a details tab per model version
 * (restored with the layout), download, delete, and "Register as Model…" in
 * the file browser's context menu.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { CatalogEvents } from '../catalog/search';
import { DOMAIN } from '../tokens';
import { addModelCommands } from './commands';
import { ModelDetails } from './details';
import { ModelCommandIDs as IDs } from './ids';
import { MODELS_SIDEBAR_ID, ModelsSidebar } from './sidebar';

/** Rank in the left area: after Jobs (700), Modules (710), Datasets (720). */
const MODELS_RANK = 730;

export const modelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:models',
  description:
    'Mo models: the Models sidebar, model details with lineage and charts, download, delete, register a file as a model.',
  autoStart: true,
  requires: [],
  optional: [
    ITranslator,
    ICommandPalette,
    ILayoutRestorer,
    IDefaultFileBrowser,
    IThemeManager
  ],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    browser: IDefaultFileBrowser | null,
    themes: IThemeManager | null
  ) => {
    const trans = (translator ?? nullTranslator).load(DOMAIN);
    const events = new CatalogEvents();
    const tracker = new WidgetTracker<MainAreaWidget<ModelDetails>>({
      namespace: 'mo-model'
    });
    addModelCommands(app, { trans, events, tracker, browser });

    const sidebar = new ModelsSidebar({
      commands: app.commands,
      trans,
      events
    });
    app.shell.add(sidebar, 'left', { rank: MODELS_RANK });

    if (palette) {
      const category = trans.__('Mo');
      for (const command of [
        IDs.openModels,
        IDs.registerModel,
        IDs.deployModel,
        IDs.publishModel,
        IDs.transferModel,
        IDs.downloadModel,
        IDs.deleteModel
      ]) {
        palette.addItem({ command, category, args: { isPalette: true } });
      }
    }

    if (restorer) {
      restorer.add(sidebar, MODELS_SIDEBAR_ID);
      void restorer.restore(tracker, {
        command: IDs.openModel,
        args: w => ({
          name: w.content.options.name,
          version: w.content.options.version
        }),
        name: w => w.content.key
      });
    }

    themes?.themeChanged.connect(() => {
      // charts draw on canvas with colours read from CSS variables
      requestAnimationFrame(() =>
        tracker.forEach(w => w.content.refreshTheme())
      );
    });
  }
};
