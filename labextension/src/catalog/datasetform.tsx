/**
 * The New dataset / Edit dataset dialog (seed 003, 2.1.1 and 2.1.3): name,
 * description, tags, purpose, label type, format, test set, permission,
 * license, source. Hints are shown as the user types; the server judges,
 * and its message (every problem, one per line) is shown verbatim in the
 * reopened form.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  FormError,
  FormRow,
  IFormProps,
  showFormUntilDone,
  useFormValues
} from '../form';
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

function FormBody(
  props: IFormProps<IDatasetFormValues> & {
    trans: TranslationBundle;
    editing: boolean;
    preset: boolean;
    serverError: string;
  }
): JSX.Element {
  const { trans } = props;
  type Key = keyof IDatasetFormValues;
  /** Rows are classed after their key. */
  const rowClass = (key: string) => `mo-DatasetForm-row mo-DatasetForm-${key}`;
  const { v, set, text } = useFormValues(props, rowClass);
  const hints = formHints(trans, v);
  const row = (key: Key, label: string, control: JSX.Element) => (
    <FormRow className={rowClass(key)} label={label}>
      {control}
    </FormRow>
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
      <FormError
        message={props.serverError}
        className="mo-DatasetForm-error"
        testId="mo-dataset-form-error"
      />
      {text('name', trans.__('Name'), {
        disabled: props.editing,
        placeholder: trans.__('e.g. flowers')
      })}
      {text('description', trans.__('Description'), { rows: 2 })}
      {text('tags', trans.__('Tags'), {
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
      {text('license', trans.__('License'))}
      {text('source', trans.__('Source'), {
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
export function showDatasetForm(
  trans: TranslationBundle,
  existing?: IDatasetDetail
): Promise<IDatasetDetail | null> {
  return showFormUntilDone({
    trans,
    initial: formValues(existing),
    form: (p, serverError) => (
      <FormBody
        {...p}
        trans={trans}
        editing={!!existing}
        preset={existing?.permission === 'preset'}
        serverError={serverError}
      />
    ),
    className: 'mo-DatasetForm',
    title: existing
      ? trans.__('Edit dataset %1', existing.id)
      : trans.__('New dataset'),
    okLabel: existing ? trans.__('Save') : trans.__('Create'),
    focusNodeSelector: existing ? 'textarea' : 'input[name="name"]',
    submit: async values => {
      const meta = toMeta(values);
      if (existing) {
        const changes = changedKeys(existing, meta);
        return Object.keys(changes).length
          ? await updateDataset(existing.id, changes)
          : existing;
      }
      return await createDataset(meta);
    }
  });
}
