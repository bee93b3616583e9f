/**
 * "Publish module": a project folder holding module_spec.yml becomes a new
 * module version in the user's catalog. The permission is asked first; the
 * server's list of problems is shown in a dialog.
 */
import {
  Dialog,
  Notification,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { MoApiError, errorMessage } from '../api';
import { IModuleDetail, publishModule } from './api';
import { problemsBody } from './problems';

/** The dialog body: the folder and the permission select. */
export class PublishForm extends Widget {
  constructor(trans: TranslationBundle, path: string) {
    super();
    this.addClass('mo-PublishForm');
    const about = document.createElement('p');
    about.textContent = trans.__(
      'Publish the module in "%1" (its module_spec.yml, main.py, README.md and results/) as a new version in your catalog.',
      path || '/'
    );
    this.node.appendChild(about);
    const row = document.createElement('label');
    row.className = 'mo-PublishForm-row';
    const span = document.createElement('span');
    span.textContent = trans.__('Permission');
    row.appendChild(span);
    this._select = document.createElement('select');
    this._select.className = 'jp-mod-styled mo-PublishForm-permission';
    for (const [value, label] of [
      ['private', trans.__('Private: only you')],
      ['public', trans.__('Public: everyone may use it')]
    ]) {
      const opt = document.createElement('option');
      opt.value = value;
      opt.textContent = label;
      this._select.appendChild(opt);
    }
    row.appendChild(this._select);
    this.node.appendChild(row);
  }

  getValue(): 'private' | 'public' {
    return this._select.value as 'private' | 'public';
  }

  private _select: HTMLSelectElement;
}

export async function publishFolder(
  trans: TranslationBundle,
  path: string
): Promise<IModuleDetail | null> {
  const form = new PublishForm(trans, path);
  const answer = await showDialog<'private' | 'public'>({
    title: trans.__('Publish module'),
    body: form,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Publish') })
    ]
  });
  if (!answer.button.accept || !answer.value) {
    return null;
  }
  try {
    const module = await publishModule(path, answer.value);
    Notification.success(
      trans.__(
        'Published %1 %2 (%3)',
        module.id,
        module.version,
        module.permission
      ),
      { autoClose: 6000 }
    );
    return module;
  } catch (err) {
    if (
      err instanceof MoApiError &&
      (err.status === 400 || err.status === 409)
    ) {
      await showDialog({
        title:
          err.status === 409
            ? trans.__('Cannot publish: version conflict')
            : trans.__('Cannot publish: the module has problems'),
        body: problemsBody(err.message),
        buttons: [Dialog.okButton({ label: trans.__('OK') })]
      });
    } else {
      await showErrorMessage(
        trans.__('Cannot publish module'),
        errorMessage(err)
      );
    }
    return null;
  }
}
