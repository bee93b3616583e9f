/**
 * Inserting a module or a dataset into the most recently active notebook:
 * the server copies / links it next to the notebook and answers a code cell,
 * which goes below the notebook's active cell. An "Inserting…" notification
 * turns into the result. Module code whose defaults read a catalog dataset
 * (`datasets/<owner>-<name>/...`, where inserting `owner/name` puts it) that
 * is not beside the notebook offers to insert that dataset first.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { ContentsManager } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';

import { MoApiError, errorMessage } from '../api';
import {
  IInsertResult,
  IParam,
  ModuleAction,
  extractArchive,
  getDataset,
  getModule,
  insertDataset,
  insertModule
} from './api';
import { datasetFolders, datasetIdsOf } from './needs';
import { Progress } from './notify';
import { archiveStem, parseExists } from './util';

export interface IInsertOptions {
  tracker: INotebookTracker;
  trans: TranslationBundle;
}

/** The notebook that inserted code goes into, or null after telling the user. */
export async function targetNotebook(
  options: IInsertOptions
): Promise<NotebookPanel | null> {
  const { tracker, trans } = options;
  const panel = tracker.currentWidget;
  if (!panel || panel.isDisposed) {
    await showErrorMessage(
      trans.__('No notebook open'),
      trans.__(
        'Open a notebook and click the cell to insert below, then try again.'
      )
    );
    return null;
  }
  await panel.context.ready;
  return panel;
}

/** The notebook's path relative to the server root (no drive prefix). */
export function notebookPath(panel: NotebookPanel): string {
  return panel.context.localPath;
}

/** Add a code cell holding `source` below the active cell and select it. */
export function insertCodeCell(panel: NotebookPanel, source: string): void {
  const notebook = panel.content;
  NotebookActions.insertBelow(notebook);
  if (notebook.activeCell?.model.type !== 'code') {
    NotebookActions.changeCellType(notebook, 'code');
  }
  const cell = notebook.activeCell;
  if (cell) {
    cell.model.sharedModel.setSource(source);
    void notebook.scrollToCell(cell).catch(() => undefined);
  }
}

function showAction(panel: NotebookPanel, trans: TranslationBundle) {
  return {
    label: trans.__('Show notebook'),
    caption: trans.__('Bring the notebook to the front'),
    callback: () => {
      if (!panel.isDisposed) {
        panel.activate();
      }
    }
  };
}

function isExists(err: unknown): boolean {
  return (
    err instanceof MoApiError && err.status === 409 && err.reason === 'exists'
  );
}

/**
 * The server's 409 "exists" answer ("'sub/modules/x' already holds mo/y
 * 1.0.0; ...") as a question; resolves true to replace.
 */
export async function askReplace(
  trans: TranslationBundle,
  err: MoApiError,
  fallbackTarget: string,
  label: string
): Promise<boolean> {
  const parsed = parseExists(err.message);
  const target = parsed ? parsed[0] : fallbackTarget;
  const held = parsed ? parsed[1] : '';
  const answer = await showDialog({
    title: held
      ? trans.__('Replace %1 (holds %2)?', target, held)
      : trans.__('Replace %1?', target),
    body: held
      ? trans.__(
          '%1 holds %2. Replace it with %3? Changes made inside that folder are lost.',
          target,
          held,
          label
        )
      : trans.__(
          '%1 Replace it with %2? Changes made inside that folder are lost.',
          err.message,
          label
        ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Replace') })
    ]
  });
  return answer.button.accept;
}

let contents: ContentsManager | null = null;

async function exists(path: string): Promise<boolean> {
  contents = contents ?? new ContentsManager();
  try {
    await contents.get(path, { content: false });
    return true;
  } catch {
    return false;
  }
}

/**
 * The catalog datasets that the module's `action` code reads by default and
 * that are not beside the notebook yet. Best effort: whatever cannot be
 * looked up is left out (the insertion itself goes on).
 */
export async function missingDatasets(
  panel: NotebookPanel,
  id: string,
  version: string,
  action: ModuleAction
): Promise<string[]> {
  let params: IParam[];
  try {
    params = (await getModule(id, version)).spec.input?.[action] ?? [];
  } catch {
    return [];
  }
  const dir = PathExt.dirname(notebookPath(panel));
  const missing: string[] = [];
  for (const folder of datasetFolders(params)) {
    if (await exists(PathExt.join(dir, 'datasets', folder))) {
      continue;
    }
    for (const candidate of datasetIdsOf(folder)) {
      try {
        const detail = await getDataset(candidate);
        if (detail.status !== 'offline') {
          missing.push(detail.id);
        }
        break;
      } catch {
        // not this split of owner-name: try the next
      }
    }
  }
  return missing;
}

/** "This code reads the dataset mo/x. Insert it too?"; resolves true for Insert. */
export async function askInsertDataset(
  trans: TranslationBundle,
  id: string
): Promise<boolean> {
  const answer = await showDialog({
    title: trans.__('Insert the dataset too?'),
    body: trans.__('This code reads the dataset %1. Insert it too?', id),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Skip') }),
      Dialog.okButton({ label: trans.__('Insert') })
    ]
  });
  return answer.button.accept;
}

/**
 * Insert a module version's action code. A target folder holding another
 * module or version asks before replacing it. The catalog datasets that the
 * code's defaults read and that are not beside the notebook are offered
 * first (inserted as the Datasets sidebar does: files and a loading cell).
 */
export async function insertModuleCode(
  options: IInsertOptions,
  id: string,
  version: string,
  action: ModuleAction
): Promise<IInsertResult | null> {
  const { trans } = options;
  const panel = await targetNotebook(options);
  if (!panel) {
    return null;
  }
  const label = `${id} ${version}`;
  for (const dataset of await missingDatasets(panel, id, version, action)) {
    if (await askInsertDataset(trans, dataset)) {
      await insertDatasetCode(options, dataset);
    }
  }
  let replace = false;
  for (;;) {
    const note = new Progress(trans.__('Inserting %1…', label));
    try {
      const result = await insertModule(
        id,
        version,
        notebookPath(panel),
        action,
        replace
      );
      insertCodeCell(panel, result.cell);
      void note.finish(
        'success',
        trans.__('Inserted %1 into %2', label, result.target),
        { autoClose: 5000, actions: [showAction(panel, trans)] }
      );
      return result;
    } catch (err) {
      if (isExists(err) && !replace) {
        await note.dismiss();
        const name = id.split('/').pop() ?? id;
        const guess = PathExt.join(
          PathExt.dirname(notebookPath(panel)),
          'modules',
          name
        );
        if (!(await askReplace(trans, err as MoApiError, guess, label))) {
          return null;
        }
        replace = true;
        continue;
      }
      void note.finish(
        'error',
        trans.__('Cannot insert %1: %2', label, errorMessage(err)),
        { autoClose: false }
      );
      return null;
    }
  }
}

/** Insert a dataset: linked (or copied) next to the notebook, plus its loading cell. */
export async function insertDatasetCode(
  options: IInsertOptions,
  id: string
): Promise<IInsertResult | null> {
  const { trans } = options;
  const panel = await targetNotebook(options);
  if (!panel) {
    return null;
  }
  let replace = false;
  for (;;) {
    const note = new Progress(trans.__('Inserting dataset %1…', id));
    try {
      const result = await insertDataset(id, notebookPath(panel), replace);
      insertCodeCell(panel, result.cell);
      void note.finish(
        'success',
        trans.__('Inserted dataset %1 into %2', id, result.target),
        { autoClose: 5000, actions: [showAction(panel, trans)] }
      );
      return result;
    } catch (err) {
      if (isExists(err) && !replace) {
        await note.dismiss();
        const guess = PathExt.join(
          PathExt.dirname(notebookPath(panel)),
          'datasets',
          id.replace('/', '-')
        );
        if (!(await askReplace(trans, err as MoApiError, guess, id))) {
          return null;
        }
        replace = true;
        continue;
      }
      void note.finish(
        'error',
        trans.__('Cannot insert dataset %1: %2', id, errorMessage(err)),
        { autoClose: false }
      );
      return null;
    }
  }
}

/**
 * Extract one of a dataset's archives into the active notebook's folder:
 * the dataset is inserted first (files only, no cell) when it is not there
 * yet, then `<notebook folder>/<archive stem>/` receives the files.
 */
export async function extractDatasetArchive(
  options: IInsertOptions,
  id: string,
  archive: string
): Promise<string | null> {
  const { trans } = options;
  const panel = await targetNotebook(options);
  if (!panel) {
    return null;
  }
  const nbPath = notebookPath(panel);
  const note = new Progress(
    trans.__('Extracting %1…', PathExt.basename(archive))
  );
  try {
    const { target } = await insertDataset(id, nbPath);
    const dest = PathExt.join(PathExt.dirname(nbPath), archiveStem(archive));
    const result = await extractArchive(PathExt.join(target, archive), dest);
    void note.finish(
      'success',
      trans.__('Extracted %1 files into %2', result.files, result.dest),
      { autoClose: 5000 }
    );
    return result.dest;
  } catch (err) {
    void note.finish(
      'error',
      trans.__('Cannot extract %1: %2', archive, errorMessage(err)),
      { autoClose: false }
    );
    return null;
  }
}
