/**
 * The owner's actions on a published module (its details tab shows them
 * when `writable`): Edit… (description, tags, category, README of the shown
 * version), Set offline / online and Permission (every version, as the
 * datasets have them), Withdraw version… (after a confirm dialog).
 */
import {
  Dialog,
  Notification,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { errorMessage } from '../api';
import { IFormProps, ValuesForm, useFormValues } from '../form';
import {
  IModuleChanges,
  IModuleDetail,
  IWithdrawResult,
  updateModule,
  withdrawModule
} from './api';
import { OwnerSettings } from './details';
import { permissionLabel } from './labels';
import { CategoryField } from './newmodule';
import { CatalogEvents } from './search';

export interface IModuleAdminActions {
  edit: (d: IModuleDetail) => Promise<IModuleDetail | null>;
  setStatus: (
    d: IModuleDetail,
    status: 'online' | 'offline'
  ) => Promise<IModuleDetail | null>;
  setPermission: (
    d: IModuleDetail,
    permission: 'private' | 'public'
  ) => Promise<IModuleDetail | null>;
  /** After a confirm dialog; `onDone` runs before the catalog's change is announced. */
  withdraw: (
    d: IModuleDetail,
    onDone: (done: IWithdrawResult) => void
  ) => Promise<IWithdrawResult | null>;
}

interface IEditValues {
  description: string;
  tags: string;
  category: 'model' | 'toolkit';
  readme: string;
}

function EditBody(
  props: IFormProps<IEditValues> & { trans: TranslationBundle }
): JSX.Element {
  const { trans } = props;
  const { v, set, text } = useFormValues(props, key =>
    key === 'readme'
      ? 'mo-NewModuleForm-row mo-ModuleEditForm-readme'
      : 'mo-NewModuleForm-row'
  );
  return (
    <div className="mo-ModuleEditForm-body">
      {text('description', trans.__('Description'), { rows: 3 })}
      {text('tags', trans.__('Tags'), {
        placeholder: trans.__('comma separated, e.g. image, flowers')
      })}
      <CategoryField
        trans={trans}
        value={v.category}
        onChange={set('category')}
      />
      {text('readme', trans.__('README'), { rows: 10 })}
    </div>
  );
}

/** The keys that differ from the detail. */
export function editChanges(d: IModuleDetail, v: IEditValues): IModuleChanges {
  const changes: IModuleChanges = {};
  const tags = v.tags
    .split(',')
    .map(t => t.trim())
    .filter(t => t);
  if (v.description !== d.description) {
    changes.description = v.description;
  }
  if (tags.join('\n') !== d.tags.join('\n')) {
    changes.tags = tags;
  }
  if (v.category !== d.category) {
    changes.category = v.category;
  }
  if (v.readme !== d.readme) {
    changes.readme = v.readme;
  }
  return changes;
}

export function moduleAdminActions(options: {
  trans: TranslationBundle;
  events: CatalogEvents;
}): IModuleAdminActions {
  const { trans, events } = options;

  const change = async (
    d: IModuleDetail,
    version: string,
    changes: IModuleChanges,
    done: string
  ): Promise<IModuleDetail | null> => {
    try {
      const updated = await updateModule(d.id, version, changes);
      Notification.success(done, { autoClose: 4000 });
      return updated;
    } catch (err) {
      await showErrorMessage(
        trans.__('Cannot change module %1', d.id),
        errorMessage(err)
      );
      return null;
    } finally {
      events.emit(d.id);
    }
  };

  return {
    edit: async d => {
      const answer = await showDialog<IEditValues>({
        title: trans.__('Edit module %1 %2', d.id, d.version),
        body: new ValuesForm<IEditValues>(
          {
            description: d.description,
            tags: d.tags.join(', '),
            category: d.category,
            readme: d.readme
          },
          p => <EditBody {...p} trans={trans} />,
          'mo-ModuleEditForm'
        ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.okButton({ label: trans.__('Save') })
        ],
        focusNodeSelector: 'textarea'
      });
      if (!answer.button.accept || !answer.value) {
        return null;
      }
      const changes = editChanges(d, answer.value);
      if (!Object.keys(changes).length) {
        return d;
      }
      return change(
        d,
        d.version,
        changes,
        trans.__('Saved %1 %2', d.id, d.version)
      );
    },
    setStatus: (d, status) =>
      change(
        d,
        '',
        { status },
        status === 'online'
          ? trans.__('%1 is online', d.id)
          : trans.__('%1 is offline: only you see it', d.id)
      ),
    setPermission: (d, permission) =>
      change(
        d,
        '',
        { permission },
        trans.__('%1 is now %2', d.id, permissionLabel(trans, permission))
      ),
    withdraw: async (d, onDone) => {
      const last = d.versions.length === 1;
      const answer = await showDialog({
        title: trans.__('Withdraw version'),
        body: last
          ? trans.__(
              'Withdraw %1 %2? It is the last version: the module leaves the catalog. Copies already inserted into projects stay.',
              d.id,
              d.version
            )
          : trans.__(
              'Withdraw %1 %2? The other versions stay. Copies already inserted into projects stay.',
              d.id,
              d.version
            ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: trans.__('Withdraw') })
        ]
      });
      if (!answer.button.accept) {
        return null;
      }
      try {
        const done = await withdrawModule(d.id, d.version);
        onDone(done);
        Notification.success(
          done.removed
            ? trans.__('Withdrew %1 %2: the module is gone', d.id, d.version)
            : trans.__('Withdrew %1 %2', d.id, d.version),
          { autoClose: 5000 }
        );
        return done;
      } catch (err) {
        await showErrorMessage(
          trans.__('Cannot withdraw %1 %2', d.id, d.version),
          errorMessage(err)
        );
        return null;
      } finally {
        events.emit('');
      }
    }
  };
}

/** Edit…, Set offline / online, Permission, Withdraw version… (owner only). */
export function OwnerActions(props: {
  detail: IModuleDetail;
  trans: TranslationBundle;
  admin: IModuleAdminActions;
  busy: string;
  run: (name: string, fn: () => Promise<unknown>) => Promise<void>;
  onWithdrawn: (versions: string[]) => void;
}): JSX.Element {
  const { detail, trans, admin, busy, run } = props;
  const online = detail.status !== 'offline';
  return (
    <div className="mo-ModuleDetails-owner" data-testid="mo-module-owner">
      <button
        className="jp-Button jp-mod-styled mo-ModuleDetails-edit"
        data-testid="mo-module-edit"
        disabled={busy !== ''}
        title={trans.__(
          'Change the description, tags, category and README of version %1',
          detail.version
        )}
        onClick={() => void run('edit', () => admin.edit(detail))}
      >
        {trans.__('Edit…')}
      </button>
      <OwnerSettings
        kind="module"
        trans={trans}
        detail={detail}
        online={online}
        statusTitle={
          online
            ? trans.__(
                'Take the module offline: the others no longer find or insert it'
              )
            : trans.__('Put the module online again')
        }
        busy={busy}
        run={run}
        actions={admin}
      />
      <button
        className="jp-Button jp-mod-styled jp-mod-warn mo-ModuleDetails-withdraw"
        data-testid="mo-module-withdraw"
        disabled={busy !== ''}
        title={trans.__('Remove version %1 from the catalog', detail.version)}
        onClick={() =>
          void run('withdraw', () =>
            admin.withdraw(detail, done => props.onWithdrawn(done.versions))
          )
        }
      >
        {trans.__('Withdraw version…')}
      </button>
    </div>
  );
}
