/**
 * Compare runs (issue 11 §2): the `mo:compare-jobs` command opening a
 * Compare tab (tracked as 'mo-compare', restored on reload), also as
 * "Compare Selected Jobs" in the Jobs sidebar's row menu and the palette.
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
  Notification,
  ToolbarButton,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import {
  downloadIcon,
  imageIcon,
  refreshIcon
} from '@jupyterlab/ui-components';

import { errorMessage } from '../api';
import { COMPARE_JOBS, JobsSidebar } from '../jobs/sidebar';
import { CommandIDs, DOMAIN, PLUGIN_ID } from '../tokens';
import { compareIcon } from './icons';
import { ComparePanel } from './panel';

export const comparePlugin: JupyterFrontEndPlugin<void> = {
  id: 'mo_jupyter:compare',
  description: 'Compare runs: charts and a table of several jobs.',
  autoStart: true,
  requires: [],
  optional: [
    ITranslator,
    ILayoutRestorer,
    ICommandPalette,
    IThemeManager,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    themes: IThemeManager | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    const trans = (translator ?? nullTranslator).load(DOMAIN);
    const tracker = new WidgetTracker<MainAreaWidget<ComparePanel>>({
      namespace: 'mo-compare'
    });
    let xAxisSetting = 'auto';
    if (settingRegistry) {
      void settingRegistry
        .load(PLUGIN_ID)
        .then(s => {
          const read = () =>
            (xAxisSetting = String(s.composite.defaultXAxis ?? 'auto'));
          read();
          s.changed.connect(read);
        })
        .catch(() => undefined);
    }

    const sidebar = (): JobsSidebar | undefined => {
      for (const w of app.shell.widgets('left')) {
        if (w instanceof JobsSidebar) {
          return w;
        }
      }
      return undefined;
    };

    /** `ids` given, else the sidebar's selection and the row under the menu. */
    const idsOf = (args: any): string[] => {
      if (Array.isArray(args?.ids)) {
        return Array.from(
          new Set(args.ids.filter((id: unknown) => typeof id === 'string'))
        );
      }
      const ids = sidebar()?.selectedIds ?? [];
      const row = args?.isPalette
        ? undefined
        : app.contextMenuHitTest(
            n => n.classList.contains('mo-JobRow') && !!n.dataset.jobId
          );
      const id = row?.dataset.jobId;
      return id && !ids.includes(id) ? [...ids, id] : ids;
    };

    const open = async (ids: string[]) => {
      // the same jobs in another order: the same comparison
      const key = [...ids].sort().join(',');
      const existing = tracker.find(
        w => [...w.content.ids].sort().join(',') === key
      );
      if (existing) {
        app.shell.activateById(existing.id);
        return existing;
      }
      const content = new ComparePanel(
        ids,
        trans,
        xAxisSetting,
        id => void app.commands.execute(CommandIDs.openJob, { id })
      );
      const widget = new MainAreaWidget({ content });
      widget.id = `mo-compare-${Date.now().toString(36)}-${tracker.size}`;
      widget.addClass('mo-CompareWidget');
      widget.title.label = trans.__('Compare %1 jobs', ids.length);
      widget.title.caption = ids.join('\n');
      widget.title.icon = compareIcon;
      widget.title.closable = true;
      const button = (
        name: string,
        opts: ConstructorParameters<typeof ToolbarButton>[0]
      ) => widget.toolbar.addItem(name, new ToolbarButton(opts));
      button('refresh', {
        icon: refreshIcon,
        className: 'mo-Compare-refresh',
        tooltip: trans.__('Reload the jobs and their metrics'),
        onClick: () => void content.load()
      });
      button('csv', {
        icon: downloadIcon,
        label: trans.__('Export CSV'),
        className: 'mo-Compare-exportCsv',
        tooltip: trans.__('Download the table as CSV'),
        onClick: () => content.exportCSV()
      });
      button('png', {
        icon: imageIcon,
        label: trans.__('Export PNG'),
        className: 'mo-Compare-exportPng',
        tooltip: trans.__('Download the charts as one PNG image'),
        onClick: () =>
          void content
            .exportPNG()
            .catch(err =>
              Notification.error(
                trans.__('Cannot export the charts: %1', errorMessage(err)),
                { autoClose: 8000 }
              )
            )
      });
      void tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      await content.load();
      return widget;
    };

    app.commands.addCommand(COMPARE_JOBS, {
      label: trans.__('Compare Selected Jobs'),
      caption: trans.__(
        'Charts of the jobs’ metrics overlaid and a table of their parameters against the metrics'
      ),
      icon: args => (args.isPalette ? undefined : compareIcon),
      isEnabled: args => idsOf(args).length >= 2,
      execute: async args => {
        const ids = idsOf(args);
        if (ids.length < 2) {
          Notification.warning(
            trans.__(
              'Select two or more jobs in the Jobs sidebar to compare them.'
            ),
            { autoClose: 5000 }
          );
          return null;
        }
        return open(ids);
      }
    });
    app.contextMenu.addItem({
      command: COMPARE_JOBS,
      selector: '.mo-JobRow',
      rank: 5
    });
    palette?.addItem({
      command: COMPARE_JOBS,
      category: trans.__('Mo'),
      args: { isPalette: true }
    });

    if (restorer) {
      void restorer.restore(tracker, {
        command: COMPARE_JOBS,
        args: w => ({ ids: w.content.ids }),
        name: w => w.content.ids.join(',')
      });
    }

    themes?.themeChanged.connect(() => {
      requestAnimationFrame(() =>
        tracker.forEach(w => w.content.refreshTheme())
      );
    });
  }
};
