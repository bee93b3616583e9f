/**
 * "Export notebook to .py": saves the notebook if it has unsaved changes,
 * asks the server to convert it, then opens the new file.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  Notification,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { IDocumentWidget } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';

import { MoApiError, errorMessage, exportNotebook } from './api';
import { exportIcon } from './icons';
import { CommandIDs } from './tokens';

/** The document widget in the main area, if the current widget is one. */
export function currentDocument(app: JupyterFrontEnd): IDocumentWidget | null {
  const w = app.shell.currentWidget as Partial<IDocumentWidget> | null;
  return w && w.context && typeof w.context.path === 'string'
    ? (w as IDocumentWidget)
    : null;
}

/** The single file selected in the file browser if the context menu is open on it. */
export function contextMenuPath(
  app: JupyterFrontEnd,
  browser: IDefaultFileBrowser | null
): string | null {
  if (!browser) {
    return null;
  }
  const hit = app.contextMenuHitTest(node =>
    node.classList.contains('jp-DirListing-item')
  );
  if (!hit) {
    return null;
  }
  const item = browser.selectedItems().next();
  return item.done ? null : item.value.path;
}

/** Export; if the .py exists, ask before replacing it. Null: the user said no. */
async function exportOrAskToReplace(
  path: string,
  trans: TranslationBundle
): Promise<string | null> {
  try {
    return await exportNotebook(path);
  } catch (err) {
    if (!(err instanceof MoApiError && err.status === 409)) {
      throw err;
    }
  }
  const target = path.replace(/\.ipynb$/i, '.py');
  const answer = await showDialog({
    title: trans.__('Replace %1?', target),
    body: trans.__(
      '%1 exists already. Replace it with a new export of the notebook? Changes made to it by hand will be lost.',
      target
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Replace') })
    ]
  });
  return answer.button.accept ? exportNotebook(path, true) : null;
}

export function addExportCommand(
  app: JupyterFrontEnd,
  trans: TranslationBundle,
  browser: IDefaultFileBrowser | null
): void {
  const notebookPath = (args: any): string | null => {
    if (typeof args?.path === 'string' && args.path) {
      return args.path;
    }
    const fromMenu = contextMenuPath(app, browser);
    if (fromMenu) {
      return fromMenu.endsWith('.ipynb') ? fromMenu : null;
    }
    const doc = currentDocument(app);
    return doc && doc.context.path.endsWith('.ipynb') ? doc.context.path : null;
  };

  app.commands.addCommand(CommandIDs.exportNotebook, {
    label: trans.__('Export Notebook to .py'),
    caption: trans.__('Convert the notebook to a Python script and open it'),
    icon: args => (args.toolbar ? exportIcon : undefined),
    isEnabled: args => notebookPath(args) !== null,
    execute: async args => {
      const path = notebookPath(args);
      if (!path) {
        return;
      }
      // Save unsaved changes first: the server converts the file on disk.
      const doc = currentDocument(app);
      if (doc && doc.context.path === path && doc.context.model.dirty) {
        await doc.context.save();
      }
      try {
        const out = await exportOrAskToReplace(path, trans);
        if (out === null) {
          return; // the user kept the existing .py
        }
        await app.commands.execute('docmanager:open', { path: out });
        Notification.success(trans.__('Exported to %1', out), {
          autoClose: 4000
        });
        return out;
      } catch (err) {
        await showErrorMessage(
          trans.__('Cannot export notebook'),
          errorMessage(err)
        );
      }
    }
  });
}
