/**
 * mo_jupyter's JupyterLab plugins: registration and wiring only.
 * The parts live in api.ts, jobs/, metrics/, export.ts and catalog/.
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
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { activateCatalog } from './catalog/commands';
import { comparePlugin } from './compare/plugin';
import { addDeployCommands } from './deploy/commands';
import { addHandleCommands } from './deploy/handle';
import { setTestPageLanguage } from './deploy/testurl';
import { addExportCommand } from './export';
import { helpPlugin } from './help';
import { exportIcon, runJobIcon } from './icons';
import {
  CLONE_JOB,
  DELETE_JOB,
  RERUN_JOB,
  addJobCommands
} from './jobs/commands';
import { JobPanel } from './jobs/jobwidget';
import { JobsModel } from './jobs/model';
import { JobsSidebar } from './jobs/sidebar';
import { launcherPlugin } from './launcher';
import { modelsPlugin } from './models/plugin';
import { projectPlugin } from './project/plugin';
import { taskPlugin } from './tasks/plugin';
import {
  CommandIDs,
  DEFAULT_SETTINGS,
  DOMAIN,
  IMoSettings,
  PLUGIN_ID,
  SettingsHolder
} from './tokens';
import { CommandButtonExtension } from './toolbar';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Mo jobs (live logs and metric charts) and notebook export.',
  autoStart: true,
  requires: [],
  optional: [
    ITranslator,
    ISettingRegistry,
    ICommandPalette,
    ILayoutRestorer,
    IDefaultFileBrowser,
    IThemeManager
  ],
  activate: async (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    browser: IDefaultFileBrowser | null,
    themes: IThemeManager | null
  ) => {
    const trans = (translator ?? nullTranslator).load(DOMAIN);
    const settings = new SettingsHolder();
    const model = new JobsModel(2000);
    const tracker = new WidgetTracker<MainAreaWidget<JobPanel>>({
      namespace: 'mo-job'
    });

    addJobCommands(app, { model, trans, settings, browser, tracker });
    addExportCommand(app, trans, browser);

    const sidebar = new JobsSidebar({
      model,
      commands: app.commands,
      trans,
      onDelete: job => void app.commands.execute(DELETE_JOB, { id: job.id })
    });
    app.shell.add(sidebar, 'left', { rank: 700 });

    app.docRegistry.addWidgetExtension(
      'Editor',
      new CommandButtonExtension(app, {
        command: CommandIDs.createJob,
        name: 'mo-run-as-job',
        className: 'mo-RunAsJobButton',
        icon: runJobIcon,
        label: trans.__('Create Job…'),
        tooltip: trans.__('Run this file as a job'),
        showFor: path => path.endsWith('.py')
      })
    );
    app.docRegistry.addWidgetExtension(
      'Notebook',
      new CommandButtonExtension(app, {
        command: CommandIDs.exportNotebook,
        name: 'mo-export',
        className: 'mo-ExportButton',
        icon: exportIcon,
        tooltip: trans.__('Export Notebook to .py')
      })
    );

    if (palette) {
      const category = trans.__('Mo');
      for (const command of [
        CommandIDs.createJob,
        CommandIDs.openJobs,
        CommandIDs.exportNotebook,
        CLONE_JOB,
        RERUN_JOB
      ]) {
        palette.addItem({ command, category, args: { isPalette: true } });
      }
    }

    if (restorer) {
      restorer.add(sidebar, sidebar.id);
      void restorer.restore(tracker, {
        command: CommandIDs.openJob,
        args: w => ({ id: w.content.jobId }),
        name: w => w.content.jobId
      });
    }

    themes?.themeChanged.connect(() => {
      // charts draw on canvas with colours read from CSS variables
      requestAnimationFrame(() =>
        tracker.forEach(w => w.content.refreshTheme())
      );
    });

    if (settingRegistry) {
      try {
        const loaded = await settingRegistry.load(PLUGIN_ID);
        const read = () => {
          settings.current = {
            ...DEFAULT_SETTINGS,
            ...(loaded.composite as unknown as Partial<IMoSettings>)
          };
        };
        read();
        loaded.changed.connect(read);
      } catch (reason) {
        console.error('mo_jupyter: cannot load settings', reason);
      }
    }
  }
};

/** Modules and datasets: sidebars, details tabs, insertion, management. */
const catalogPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:catalog',
  description:
    'Mo modules and datasets: search, details, insert into notebooks, dataset management, publishing.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [
    ITranslator,
    ICommandPalette,
    ILayoutRestorer,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    browser: IDefaultFileBrowser | null
  ) => {
    const trans = (translator ?? nullTranslator).load(DOMAIN);
    activateCatalog(app, {
      trans,
      notebooks,
      rendermime,
      palette,
      restorer,
      browser
    });
  }
};

/** Deployment (issue 5): the handle(conf) template, the deploy wizard, the Deploy sidebar. */
const deployPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:deploy',
  description:
    'Mo deployment: insert the handle(conf) function, turn the notebook into handler.py and app_spec.yml, deploy it and open its test page.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ITranslator, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const trans = (translator ?? nullTranslator).load(DOMAIN);
    setTestPageLanguage((translator ?? nullTranslator).languageCode);
    addHandleCommands(app, { trans, notebooks, palette });
    const sidebar = addDeployCommands(app, { trans, notebooks, palette });
    restorer?.add(sidebar, sidebar.id);
  }
};

export default [
  plugin,
  catalogPlugin,
  deployPlugin,
  launcherPlugin,
  helpPlugin,
  projectPlugin,
  taskPlugin,
  comparePlugin,
  modelsPlugin
];
