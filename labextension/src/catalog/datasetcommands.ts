/**
 * The dataset commands: open details, insert, new / edit / delete, online /
 * offline, permission, upload. Without an `id` argument they act on the
 * dataset tab in front.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  MainAreaWidget,
  Notification,
  WidgetTracker,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';

import { MoApiError, errorMessage } from '../api';
import { confirmDelete, openTabCommand } from '../shell';
import {
  IDatasetDetail,
  Permission,
  deleteDataset,
  getDataset,
  updateDataset
} from './api';
import {
  DatasetDetails,
  IDatasetActions,
  createDatasetWidget
} from './datasetdetails';
import { showDatasetForm } from './datasetform';
import { CatalogCommandIDs as IDs } from './ids';
import { extractDatasetArchive, insertDatasetCode } from './insert';
import { permissionLabel } from './labels';
import { problemsBody } from './problems';
import { CatalogEvents } from './search';

export interface IDatasetCommandsOptions {
  trans: TranslationBundle;
  events: CatalogEvents;
  notebooks: INotebookTracker;
  tracker: WidgetTracker<MainAreaWidget<DatasetDetails>>;
}

export function addDatasetCommands(
  app: JupyterFrontEnd,
  options: IDatasetCommandsOptions
): void {
  const { trans, events, notebooks, tracker } = options;
  const { commands, shell } = app;
  const insertOptions = { tracker: notebooks, trans };

  /** The id argument, or the dataset tab in front. */
  const datasetId = (args: any): string =>
    typeof args?.id === 'string' && args.id
      ? args.id
      : (tracker.currentWidget?.content.datasetId ?? '');
  const hasTarget = (args: any) => datasetId(args) !== '';

  const load = async (args: any): Promise<IDatasetDetail | null> => {
    const id = datasetId(args);
    if (!id) {
      return null;
    }
    try {
      return await getDataset(id);
    } catch (err) {
      await showErrorMessage(
        trans.__('Cannot load dataset %1', id),
        errorMessage(err)
      );
      return null;
    }
  };
  /** An execute that loads the target dataset, then acts on it. */
  const withDataset =
    (
      act: (d: IDatasetDetail, args: any) => Promise<unknown>,
      none: unknown = null
    ) =>
    async (args: any) => {
      const d = await load(args);
      return d ? act(d, args) : none;
    };

  const setStatus = async (d: IDatasetDetail, status: 'online' | 'offline') => {
    try {
      const updated = await updateDataset(d.id, { status });
      events.emit(d.id);
      Notification.success(
        status === 'online'
          ? trans.__('%1 is online', d.id)
          : trans.__('%1 is offline', d.id),
        { autoClose: 4000 }
      );
      return updated;
    } catch (err) {
      events.emit(d.id);
      const conflict = err instanceof MoApiError && err.status === 409;
      await showDialog({
        title: conflict
          ? trans.__('%1 cannot go online: the format check failed', d.id)
          : trans.__('Cannot change the status of %1', d.id),
        body: problemsBody(errorMessage(err)),
        buttons: [Dialog.okButton({ label: trans.__('OK') })]
      });
      return null;
    }
  };

  const setPermission = async (d: IDatasetDetail, permission: Permission) => {
    try {
      const updated = await updateDataset(d.id, { permission });
      Notification.success(
        trans.__('%1 is now %2', d.id, permissionLabel(trans, permission)),
        { autoClose: 4000 }
      );
      return updated;
    } catch (err) {
      await showErrorMessage(
        trans.__('Cannot change the permission of %1', d.id),
        errorMessage(err)
      );
      return null;
    } finally {
      events.emit(d.id);
    }
  };

  const edit = async (d: IDatasetDetail) => {
    const updated = await showDatasetForm(trans, d);
    if (updated) {
      events.emit(d.id);
    }
    return updated;
  };

  const remove = async (d: IDatasetDetail, confirm = true) => {
    if (confirm) {
      const sure = await confirmDelete(
        trans,
        trans.__('Delete dataset'),
        trans.__(
          'Delete dataset "%1" with its %2 files? Copies already inserted into projects stay.',
          d.id,
          d.file_count
        )
      );
      if (!sure) {
        return false;
      }
    }
    try {
      await deleteDataset(d.id);
      tracker.find(w => w.content.datasetId === d.id)?.dispose();
      Notification.success(trans.__('Deleted dataset %1', d.id), {
        autoClose: 4000
      });
      events.emit('');
      return true;
    } catch (err) {
      await showErrorMessage(
        trans.__('Cannot delete dataset %1', d.id),
        errorMessage(err)
      );
      return false;
    }
  };

  const actions: IDatasetActions = {
    insert: id => insertDatasetCode(insertOptions, id),
    extract: (id, archive) => extractDatasetArchive(insertOptions, id, archive),
    edit,
    remove: d => remove(d),
    setStatus,
    setPermission
  };

  commands.addCommand(IDs.openDataset, {
    label: args =>
      args.id
        ? trans.__('Open Dataset %1', args.id as string)
        : trans.__('Open Dataset'),
    execute: openTabCommand(
      shell,
      tracker,
      w => w.content.datasetId,
      id => createDatasetWidget({ id, trans, events, actions })
    )
  });

  commands.addCommand(IDs.insertDataset, {
    label: trans.__('Insert Dataset into Notebook'),
    caption: trans.__(
      'Link the dataset next to the current notebook and insert code that loads it'
    ),
    isEnabled: hasTarget,
    execute: args => {
      const id = datasetId(args);
      return id ? insertDatasetCode(insertOptions, id) : null;
    }
  });

  commands.addCommand(IDs.newDataset, {
    label: trans.__('New Dataset…'),
    caption: trans.__(
      'Create a dataset in your catalog, then upload its files'
    ),
    execute: async () => {
      const created = await showDatasetForm(trans);
      if (!created) {
        return null;
      }
      events.emit('');
      Notification.success(
        trans.__('Created dataset %1: upload its files next', created.id),
        {
          autoClose: 5000
        }
      );
      await commands.execute(IDs.openDataset, { id: created.id });
      return created.id;
    }
  });

  commands.addCommand(IDs.editDataset, {
    label: trans.__('Edit Dataset…'),
    isEnabled: hasTarget,
    execute: withDataset(edit)
  });

  commands.addCommand(IDs.deleteDataset, {
    label: trans.__('Delete Dataset…'),
    isEnabled: hasTarget,
    execute: withDataset((d, args) => remove(d, !args.noConfirm), false)
  });

  commands.addCommand(IDs.setDatasetStatus, {
    label: args =>
      args.status === 'offline'
        ? trans.__('Set Dataset Offline')
        : trans.__('Set Dataset Online'),
    isEnabled: hasTarget,
    execute: withDataset((d, args) =>
      setStatus(d, args.status === 'offline' ? 'offline' : 'online')
    )
  });

  commands.addCommand(IDs.setDatasetPermission, {
    label: args =>
      args.permission === 'public'
        ? trans.__('Make Dataset Public')
        : trans.__('Make Dataset Private'),
    isEnabled: hasTarget,
    execute: withDataset((d, args) =>
      setPermission(d, args.permission === 'public' ? 'public' : 'private')
    )
  });

  commands.addCommand(IDs.uploadDataset, {
    label: trans.__('Upload Data to Dataset…'),
    caption: trans.__("Open the dataset's Upload box"),
    isEnabled: hasTarget,
    execute: async args => {
      const id = datasetId(args);
      const widget = (await commands.execute(IDs.openDataset, { id })) as
        MainAreaWidget<DatasetDetails> | undefined;
      if (!widget) {
        return;
      }
      // the box appears once the details are loaded
      for (let i = 0; i < 50; i++) {
        const input =
          widget.node.querySelector<HTMLInputElement>('.mo-UploadBox-file');
        if (input) {
          input.scrollIntoView({ block: 'center' });
          input.focus();
          return;
        }
        await new Promise(r => setTimeout(r, 100));
      }
    }
  });
}
