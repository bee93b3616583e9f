/**
 * New Module… (seed 000, 3.(1) 创建模块): a short form (name, folder,
 * description, category, the actions and their inputs and outputs) that the
 * server turns into <folder>/<name>/ with module_spec.yml, main.py (the class
 * with stub methods) and README.md, ready to publish. The server judges; its
 * message is shown in the reopened form.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { VALUE_TYPES } from '../deploy/spec';
import {
  FieldEvent,
  FormError,
  FormRow,
  IFormProps,
  showFormUntilDone,
  useFormValues
} from '../form';
import { INewModuleResult, ModuleAction, newModule } from './api';
import {
  ACTIONS,
  INewModuleValues,
  IParamRow,
  NAME_RE,
  className,
  initialValues,
  toForm
} from './newmodulevalues';

export const NEW_MODULE_COMMAND = 'mo:new-module';

function FormBody(
  props: IFormProps<INewModuleValues> & {
    trans: TranslationBundle;
    serverError: string;
  }
): JSX.Element {
  const { trans } = props;
  const { v, update, set, text } = useFormValues(props, 'mo-NewModuleForm-row');
  const toggle = (a: ModuleAction) => {
    const actions = v.actions.includes(a)
      ? v.actions.filter(x => x !== a)
      : [...v.actions, a];
    update({ ...v, actions });
  };
  const setRows = (
    side: 'inputs' | 'outputs',
    a: ModuleAction,
    rows: IParamRow[]
  ) => update({ ...v, [side]: { ...v[side], [a]: rows } });

  const nameOk = NAME_RE.test(v.name);
  return (
    <div className="mo-NewModuleForm-body">
      <FormError
        message={props.serverError}
        className="mo-NewModuleForm-error"
        testId="mo-new-module-error"
      />
      {text('name', trans.__('Name'), {
        testId: 'mo-new-module-name',
        placeholder: trans.__('e.g. flower_classifier')
      })}
      <div
        className={`mo-NewModuleForm-hint${v.name && !nameOk ? ' mo-mod-invalid' : ''}`}
        data-testid="mo-new-module-hint"
      >
        {!v.name
          ? trans.__(
              'Letters, digits and _, starting with a letter: it is imported as modules.<name>.'
            )
          : nameOk
            ? trans.__('main.py will define class %1', className(v.name))
            : trans.__(
                '"%1" is not a valid name: use letters, digits and _, starting with a letter.',
                v.name
              )}
      </div>
      {text('folder', trans.__('Folder'), {
        testId: 'mo-new-module-folder',
        placeholder: trans.__('the project root')
      })}
      {text('description', trans.__('Description'), { rows: 2 })}
      <CategoryField
        trans={trans}
        value={v.category}
        onChange={set('category')}
      />
      <fieldset className="mo-NewModuleForm-actions">
        <legend>{trans.__('Actions')}</legend>
        {ACTIONS.map(a => (
          <label key={a}>
            <input
              type="checkbox"
              name={`action-${a}`}
              checked={v.actions.includes(a)}
              onChange={() => toggle(a)}
            />
            {`${a}(conf)`}
          </label>
        ))}
      </fieldset>
      {ACTIONS.filter(a => v.actions.includes(a)).map(a => (
        <fieldset key={a} className="mo-NewModuleForm-params" data-action={a}>
          <legend>{a}</legend>
          <ParamRows
            trans={trans}
            side="inputs"
            rows={v.inputs[a]}
            onChange={rows => setRows('inputs', a, rows)}
          />
          {a !== 'train' && (
            <ParamRows
              trans={trans}
              side="outputs"
              rows={v.outputs[a]}
              onChange={rows => setRows('outputs', a, rows)}
            />
          )}
        </fieldset>
      ))}
    </div>
  );
}

/** A module's category (model or toolkit): the New module and Edit module forms' row. */
export function CategoryField(props: {
  trans: TranslationBundle;
  value: string;
  onChange: (e: FieldEvent) => void;
}): JSX.Element {
  const { trans } = props;
  return (
    <FormRow className="mo-NewModuleForm-row" label={trans.__('Category')}>
      <select
        className="jp-mod-styled mo-NewModuleForm-category"
        name="category"
        value={props.value}
        onChange={props.onChange}
      >
        <option value="model">{trans.__('Model')}</option>
        <option value="toolkit">{trans.__('Toolkit')}</option>
      </select>
    </FormRow>
  );
}

function ParamRows(props: {
  trans: TranslationBundle;
  side: 'inputs' | 'outputs';
  rows: IParamRow[];
  onChange: (rows: IParamRow[]) => void;
}): JSX.Element {
  const { trans, side, rows } = props;
  const set = (i: number, key: keyof IParamRow, value: string) =>
    props.onChange(rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  /** The name or default of row `i`, classed mo-NewModuleForm-<stem>. */
  const input = (
    i: number,
    key: 'name' | 'default_value',
    stem: string,
    label: string,
    placeholder: string
  ) => (
    <input
      className={`jp-mod-styled mo-NewModuleForm-${stem}`}
      aria-label={label}
      placeholder={placeholder}
      value={rows[i][key]}
      onChange={e => set(i, key, e.currentTarget.value)}
    />
  );
  return (
    <div className={`mo-NewModuleForm-${side}`} data-side={side}>
      <div className="mo-NewModuleForm-sideTitle">
        {side === 'inputs' ? trans.__('Inputs') : trans.__('Outputs')}
      </div>
      {rows.map((r, i) => (
        <div className="mo-NewModuleForm-param" key={i}>
          {input(
            i,
            'name',
            'paramName',
            trans.__('Parameter name'),
            trans.__('name')
          )}
          <select
            className="jp-mod-styled mo-NewModuleForm-paramType"
            aria-label={trans.__('Type')}
            value={r.value_type}
            onChange={e => set(i, 'value_type', e.currentTarget.value)}
          >
            {VALUE_TYPES.map(t => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          {side === 'inputs' &&
            input(
              i,
              'default_value',
              'paramDefault',
              trans.__('Default'),
              trans.__('default')
            )}
          <button
            type="button"
            className="jp-Button jp-mod-styled mo-NewModuleForm-remove"
            title={trans.__('Remove')}
            onClick={() => props.onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="jp-Button jp-mod-styled mo-NewModuleForm-add"
        onClick={() =>
          props.onChange([
            ...rows,
            { name: '', value_type: 'str', default_value: '' }
          ])
        }
      >
        {side === 'inputs' ? trans.__('Add input') : trans.__('Add output')}
      </button>
    </div>
  );
}

/** Show the form until the server makes the module or the user cancels. */
export function showNewModuleForm(
  trans: TranslationBundle,
  folder: string
): Promise<INewModuleResult | null> {
  return showFormUntilDone({
    trans,
    initial: initialValues(folder),
    form: (p, serverError) => (
      <FormBody {...p} trans={trans} serverError={serverError} />
    ),
    className: 'mo-NewModuleForm',
    title: trans.__('New module'),
    okLabel: trans.__('Create'),
    focusNodeSelector: 'input[name="name"]',
    submit: values => newModule(toForm(values))
  });
}
