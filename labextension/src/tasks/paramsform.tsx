/**
 * The parameters step: a form generated from the module's params_schema
 * (integer / number inputs with their range, enum → select, boolean →
 * checkbox, string, arrays as comma-separated values), defaults filled,
 * each description shown and each invalid value marked where it is.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { WizardState } from './state';
import { IParamSchema, Problem, RawValue, paramNames } from './validate';

function typeName(trans: TranslationBundle, type: string | undefined): string {
  switch (type) {
    case 'integer':
      return trans.__('a whole number');
    case 'number':
      return trans.__('a number');
    case 'boolean':
      return trans.__('true or false');
    case 'array':
      return trans.__('comma-separated values');
    default:
      return trans.__('text');
  }
}

/** What is wrong with a value, in the user's words. */
export function problemText(trans: TranslationBundle, p: Problem): string {
  const where =
    'item' in p && p.item !== undefined
      ? trans.__('Item %1: ', p.item + 1)
      : '';
  switch (p.kind) {
    case 'required':
      return trans.__('A value is required.');
    case 'type':
      return where + trans.__('Enter %1.', typeName(trans, p.type));
    case 'minimum':
      return where + trans.__('At least %1.', p.limit);
    case 'maximum':
      return where + trans.__('At most %1.', p.limit);
    case 'maxLength':
      return where + trans.__('At most %1 characters.', p.limit);
    case 'enum':
      return (
        where +
        trans.__('One of: %1.', p.values.map(v => JSON.stringify(v)).join(', '))
      );
  }
}

/** The range or type hint under a field: "0.01 … 10", "a whole number". */
function rangeHint(trans: TranslationBundle, sub: IParamSchema): string {
  const { minimum: lo, maximum: hi } = sub;
  if (lo !== undefined && hi !== undefined) {
    return trans.__('from %1 to %2', lo, hi);
  }
  if (lo !== undefined) {
    return trans.__('at least %1', lo);
  }
  if (hi !== undefined) {
    return trans.__('at most %1', hi);
  }
  return sub.type === 'array' ? typeName(trans, 'array') : '';
}

function Control(props: {
  name: string;
  sub: IParamSchema;
  raw: RawValue;
  invalid: boolean;
  onChange: (v: RawValue) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { name, sub, raw, invalid, onChange } = props;
  const cls = `jp-mod-styled mo-TaskParam-input${invalid ? ' mo-mod-invalid' : ''}`;
  const id = `mo-task-param-${name}`;
  if (sub.enum) {
    return (
      <select
        id={id}
        className={cls}
        value={String(raw)}
        aria-invalid={invalid}
        onChange={e => onChange(e.currentTarget.value)}
      >
        {raw === '' && <option value="">{props.trans.__('(none)')}</option>}
        {sub.enum.map(v => (
          <option key={JSON.stringify(v)} value={JSON.stringify(v)}>
            {typeof v === 'string' ? v : JSON.stringify(v)}
          </option>
        ))}
      </select>
    );
  }
  if (sub.type === 'boolean') {
    return (
      <input
        id={id}
        type="checkbox"
        className="mo-TaskParam-check"
        checked={raw === true}
        onChange={e => onChange(e.currentTarget.checked)}
      />
    );
  }
  const numeric = sub.type === 'integer' || sub.type === 'number';
  return (
    <input
      id={id}
      type="text"
      inputMode={
        sub.type === 'integer'
          ? 'numeric'
          : sub.type === 'number'
            ? 'decimal'
            : undefined
      }
      className={`${cls}${numeric ? ' mo-mod-number' : ''}`}
      value={String(raw)}
      aria-invalid={invalid}
      spellCheck={false}
      onChange={e => onChange(e.currentTarget.value)}
    />
  );
}

export function ParamsStep(props: {
  s: WizardState;
  trans: TranslationBundle;
}): JSX.Element {
  const { s, trans } = props;
  const form = s.form.data!;
  const schema = form.params_schema;
  const names = paramNames(schema, form.params_order);
  const required = schema.required ?? [];
  if (names.length === 0) {
    return (
      <div className="mo-Deploy-step mo-TaskStep">
        <div className="mo-Deploy-empty mo-TaskEmpty">
          {trans.__('%1 has no parameters to set.', s.module)}
        </div>
      </div>
    );
  }
  return (
    <div className="mo-Deploy-step mo-TaskStep">
      <p className="mo-Deploy-hint">
        {trans.__(
          'The parameters of %1 train(): the data, the split and where the model is saved are set by the task.',
          s.module
        )}
      </p>
      <div className="mo-TaskParams" data-testid="mo-task-params">
        {names.map(name => {
          const sub = schema.properties![name];
          const problem = s.params.problems[name];
          const hint = rangeHint(trans, sub);
          return (
            <div
              key={name}
              className={`mo-TaskParam${problem ? ' mo-mod-invalid' : ''}`}
              data-param={name}
            >
              <label
                className="mo-TaskParam-name"
                htmlFor={`mo-task-param-${name}`}
              >
                {name}
                {required.includes(name) && (
                  <span
                    className="mo-TaskParam-required"
                    title={trans.__('Required')}
                  >
                    *
                  </span>
                )}
              </label>
              <div className="mo-TaskParam-control">
                <Control
                  name={name}
                  sub={sub}
                  raw={s.raw[name] ?? ''}
                  invalid={!!problem}
                  onChange={v => s.setField(name, v)}
                  trans={trans}
                />
                {hint && <span className="mo-TaskParam-range">{hint}</span>}
              </div>
              {sub.description && (
                <div className="mo-TaskField-help mo-TaskParam-help">
                  {sub.description}
                </div>
              )}
              {problem && (
                <div
                  className="mo-TaskField-error mo-TaskParam-error"
                  role="alert"
                >
                  {problemText(trans, problem)}
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
