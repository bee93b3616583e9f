/**
 * The New dataset / Edit dataset dialog (seed 003, 2.1.1 and 2.1.3): name,
 * description, tags, purpose, label type, format, test set, permission,
 * license, source. Hints are shown as the user types; the server judges,
 * and its message (every problem, one per line) is shown verbatim in the
 * reopened form.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { errorMessage } from '../api';
import { IDatasetDetail, createDataset, updateDataset } from './api';
import {
  IDatasetFormValues,
  changedKeys,
  formHints,
  formValues,
  toMeta
} from './formvalues';
import {
  FORMATS,
  LABEL_TYPES,
  PURPOSES,
  formatLabel,
  labelTypeLabel,
  purposeLabel
} from './labels';

class DatasetForm extends ReactWidget {
  constructor(
    private _trans: TranslationBundle,
    public values: IDatasetFormValues,
    private _editing: boolean,
    private _serverError: string,
    private _preset: boolean
  ) {
    super();
    this.addClass('mo-DatasetForm');
  }

  getValue(): IDatasetFormValues {
    return this.values;
  }

  render(): JSX.Element {
    return (
      <FormBody
        trans={this._trans}
        initial={this.values}
        editing={this._editing}
        preset={this._preset}
        serverError={this._serverError}
        onChange={v => (this.values = v)}
      />
    );
  }
}

function FormBody(props: {
  trans: TranslationBundle;
  initial: IDatasetFormValues;
  editing: boolean;
  preset: boolean;
  serverError: string;
  onChange: (v: IDatasetFormValues) => void;
}): JSX.Element {
  const { trans } = props;
  const [v, setV] = React.useState(props.initial);
  const set = (key: keyof IDatasetFormValues) => (
    e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>
  ) => {
    const next = { ...v, [key]: e.currentTarget.value };
    setV(next);
    props.onChange(next);
  };
  const choices = (values: string[], current: string) =>
    values.includes(current) || !current ? values : [...values, current];
  const hints = formHints(trans, v);
  const row = (label: string, control: JSX.Element, key: string) => (
    <label className={`mo-DatasetForm-row mo-DatasetForm-${key}`}>
      <span>{label}</span>
      {control}
    </label>
  );
  return (
    <div className="mo-DatasetForm-body">
      {props.serverError && (
        <pre className="mo-DatasetForm-error" role="alert" data-testid="mo-dataset-form-error">
          {props.serverError}
        </pre>
      )}
      {row(
        trans.__('Name'),
        <input
          className="jp-mod-styled"
          name="name"
          value={v.name}
          disabled={props.editing}
          placeholder={trans.__('e.g. flowers')}
          onChange={set('name')}
        />,
        'name'
      )}
      {row(
        trans.__('Description'),
        <textarea
          className="jp-mod-styled"
          name="description"
          rows={2}
          value={v.description}
          onChange={set('description')}
        />,
        'description'
      )}
      {row(
        trans.__('Tags'),
        <input
          className="jp-mod-styled"
          name="tags"
          value={v.tags}
          placeholder={trans.__('comma separated, e.g. image, flowers')}
          onChange={set('tags')}
        />,
        'tags'
      )}
      {row(
        trans.__('Purpose'),
        <select className="jp-mod-styled" name="purpose" value={v.purpose} onChange={set('purpose')}>
          {choices(PURPOSES, v.purpose).map(p => (
            <option key={p} value={p}>
              {purposeLabel(trans, p)}
            </option>
          ))}
        </select>,
        'purpose'
      )}
      {row(
        trans.__('Label type'),
        <select className="jp-mod-styled" name="label_type" value={v.label_type} onChange={set('label_type')}>
          {choices(LABEL_TYPES, v.label_type).map(t => (
            <option key={t} value={t}>
              {labelTypeLabel(trans, t)}
            </option>
          ))}
        </select>,
        'label_type'
      )}
      {row(
        trans.__('Format'),
        <select className="jp-mod-styled" name="format" value={v.format} onChange={set('format')}>
          {choices(FORMATS, v.format).map(f => (
            <option key={f} value={f}>
              {formatLabel(trans, f)}
            </option>
          ))}
        </select>,
        'format'
      )}
      <fieldset className="mo-DatasetForm-row mo-DatasetForm-split">
        <legend>{trans.__('Test set')}</legend>
        <label>
          <input
            type="radio"
            name="split"
            value="ratio"
            checked={v.split === 'ratio'}
            onChange={set('split')}
          />
          {trans.__('Train share of a random split')}
          <input
            className="jp-mod-styled mo-DatasetForm-ratio"
            name="ratio"
            type="number"
            min="0.05"
            max="0.95"
            step="0.05"
            value={v.ratio}
            disabled={v.split !== 'ratio'}
            onChange={set('ratio')}
          />
        </label>
        <label>
          <input
            type="radio"
            name="split"
            value="independent"
            checked={v.split === 'independent'}
            onChange={set('split')}
          />
          {trans.__('Independent test set (upload train and test separately)')}
        </label>
      </fieldset>
      {row(
        trans.__('Permission'),
        <select className="jp-mod-styled" name="permission" value={v.permission} onChange={set('permission')}>
          <option value="private">{trans.__('Private: only you')}</option>
          <option value="public">{trans.__('Public: everyone may use it')}</option>
          {props.preset && (
            <option value="preset" disabled>
              {trans.__('Preset (administrators only)')}
            </option>
          )}
        </select>,
        'permission'
      )}
      {row(
        trans.__('License'),
        <input className="jp-mod-styled" name="license" value={v.license} onChange={set('license')} />,
        'license'
      )}
      {row(
        trans.__('Source'),
        <input
          className="jp-mod-styled"
          name="source"
          value={v.source}
          placeholder={trans.__('where the data comes from (URL, paper, ...)')}
          onChange={set('source')}
        />,
        'source'
      )}
      {hints.length > 0 && (
        <ul className="mo-DatasetForm-hints" data-testid="mo-dataset-form-hints">
          {hints.map(h => (
            <li key={h}>{h}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Show the form until the server accepts it or the user cancels. With
 * `existing`, edits that dataset (PATCH of the changed keys); else creates.
 */
export async function showDatasetForm(
  trans: TranslationBundle,
  existing?: IDatasetDetail
): Promise<IDatasetDetail | null> {
  let values = formValues(existing);
  let serverError = '';
  for (;;) {
    const body = new DatasetForm(
      trans,
      values,
      !!existing,
      serverError,
      existing?.permission === 'preset'
    );
    const result = await showDialog<IDatasetFormValues>({
      title: existing
        ? trans.__('Edit dataset %1', existing.id)
        : trans.__('New dataset'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: existing ? trans.__('Save') : trans.__('Create') })
      ],
      focusNodeSelector: existing ? 'textarea' : 'input[name="name"]'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    values = result.value;
    const meta = toMeta(values);
    try {
      if (existing) {
        const changes = changedKeys(existing, meta);
        return Object.keys(changes).length
          ? await updateDataset(existing.id, changes)
          : existing;
      }
      return await createDataset(meta);
    } catch (err) {
      serverError = errorMessage(err);
    }
  }
}
