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
  type Key = keyof IDatasetFormValues;
  const set =
    (key: Key) =>
    (
      e: React.ChangeEvent<
        HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement
      >
    ) => {
      const next = { ...v, [key]: e.currentTarget.value };
      setV(next);
      props.onChange(next);
    };
  const hints = formHints(trans, v);
  /** A labelled row of the form, classed after its key. */
  const row = (key: Key, label: string, control: JSX.Element) => (
    <label className={`mo-DatasetForm-row mo-DatasetForm-${key}`}>
      <span>{label}</span>
      {control}
    </label>
  );
  const input = (
    key: Key,
    label: string,
    extra: { placeholder?: string; disabled?: boolean } = {}
  ) =>
    row(
      key,
      label,
      <input
        className="jp-mod-styled"
        name={key}
        value={v[key]}
        onChange={set(key)}
        {...extra}
      />
    );
  /** A select of `values` (and the current value, should it be another). */
  const select = (
    key: Key,
    label: string,
    values: string[],
    optionLabel: (t: TranslationBundle, value: string) => string
  ) =>
    row(
      key,
      label,
      <select
        className="jp-mod-styled mo-DatasetForm-select"
        name={key}
        value={v[key]}
        onChange={set(key)}
      >
        {(values.includes(v[key]) || !v[key]
          ? values
          : [...values, v[key]]
        ).map(x => (
          <option key={x} value={x}>
            {optionLabel(trans, x)}
          </option>
        ))}
      </select>
    );
  const radio = (split: IDatasetFormValues['split']) => (
    <input
      type="radio"
      name="split"
      value={split}
      checked={v.split === split}
      onChange={set('split')}
    />
  );
  return (
    <div className="mo-DatasetForm-body">
      {props.serverError && (
        <pre
          className="mo-Message mo-mod-error mo-DatasetForm-error"
          role="alert"
          data-testid="mo-dataset-form-error"
        >
          {props.serverError}
        </pre>
      )}
      {input('name', trans.__('Name'), {
        disabled: props.editing,
        placeholder: trans.__('e.g. flowers')
      })}
      {row(
        'description',
        trans.__('Description'),
        <textarea
          className="jp-mod-styled"
          name="description"
          rows={2}
          value={v.description}
          onChange={set('description')}
        />
      )}
      {input('tags', trans.__('Tags'), {
        placeholder: trans.__('comma separated, e.g. image, flowers')
      })}
      {select('purpose', trans.__('Purpose'), PURPOSES, purposeLabel)}
      {select(
        'label_type',
        trans.__('Label type'),
        LABEL_TYPES,
        labelTypeLabel
      )}
      {select('format', trans.__('Format'), FORMATS, formatLabel)}
      <fieldset className="mo-DatasetForm-row mo-DatasetForm-split">
        <legend>{trans.__('Test set')}</legend>
        <label>
          {radio('ratio')}
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
          {radio('independent')}
          {trans.__('Independent test set (upload train and test separately)')}
        </label>
      </fieldset>
      {row(
        'permission',
        trans.__('Permission'),
        <select
          className="jp-mod-styled mo-DatasetForm-select"
          name="permission"
          value={v.permission}
          onChange={set('permission')}
        >
          <option value="private">{trans.__('Private: only you')}</option>
          <option value="public">
            {trans.__('Public: everyone may use it')}
          </option>
          {props.preset && (
            <option value="preset" disabled>
              {trans.__('Preset (administrators only)')}
            </option>
          )}
        </select>
      )}
      {input('license', trans.__('License'))}
      {input('source', trans.__('Source'), {
        placeholder: trans.__('where the data comes from (URL, paper, ...)')
      })}
      {hints.length > 0 && (
        <ul
          className="mo-DatasetForm-hints"
          data-testid="mo-dataset-form-hints"
        >
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
        Dialog.okButton({
          label: existing ? trans.__('Save') : trans.__('Create')
        })
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
