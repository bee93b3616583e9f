/**
 * The deploy wizard's first step (seeds: "插入 handle 函数"): insert Mo's
 * handle(conf) template below the active cell of the current notebook. The
 * template comes from the server (mo_jupyter/handle/template.py), the one
 * source the parser reads the same convention from.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { errorMessage, requestAPI } from '../api';
import { insertCodeCell, targetNotebook } from '../catalog/insert';
import { handleIcon } from '../icons';

export const INSERT_HANDLE = 'mo:insert-handle';

export function getHandleTemplate(): Promise<{ source: string }> {
  return requestAPI<{ source: string }>('handle/template');
}

export interface IHandleOptions {
  trans: TranslationBundle;
  notebooks: INotebookTracker;
  palette: ICommandPalette | null;
}

export function addHandleCommands(
  app: JupyterFrontEnd,
  options: IHandleOptions
): void {
  const { trans, notebooks, palette } = options;
  app.commands.addCommand(INSERT_HANDLE, {
    label: trans.__('Insert Handle Function'),
    caption: trans.__(
      'Insert the handle(conf) template that deployment turns into handler.py and app_spec.yml'
    ),
    icon: args => (args.isPalette ? undefined : handleIcon),
    execute: async () => {
      const panel = await targetNotebook({ tracker: notebooks, trans });
      if (!panel) {
        return;
      }
      try {
        const { source } = await getHandleTemplate();
        insertCodeCell(panel, source);
        Notification.success(
          trans.__(
            'Inserted the handle function: mark its inputs with # value_type comments'
          ),
          { autoClose: 4000 }
        );
      } catch (err) {
        Notification.error(
          trans.__('Cannot insert the handle function: %1', errorMessage(err)),
          { autoClose: false }
        );
      }
    }
  });
  palette?.addItem({
    command: INSERT_HANDLE,
    category: trans.__('Mo'),
    args: { isPalette: true }
  });
  app.contextMenu.addItem({
    command: INSERT_HANDLE,
    selector: '.jp-Notebook .jp-Cell',
    rank: 60
  });
}
