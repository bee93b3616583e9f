/**
 * Step 3, "Inputs and outputs": one table per side, every field editable
 * except the key; the parser's problems next to their rows and the general
 * ones above. Defaults and ranges are typed as text and parsed (JSON for
 * lists and {min, max}); text that does not parse is marked and blocks Next.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IParam, IProblem, ISpec, Side } from '../api';
import {
  VALUE_TYPES,
  formatValue,
  generalProblems,
  parseDefault,
  parseRange,
  rowProblems
} from '../spec';
import { ProblemList } from './problems';

export interface IParamsProps {
  spec: ISpec;
  problems: IProblem[];
  blocking: IProblem[];
  onEdit: (
    side: Side,
    key: string,
    field: keyof IParam,
    value: unknown
  ) => void;
  onInvalid: (field: string, invalid: boolean) => void;
  trans: TranslationBundle;
}

/** A text field whose text is parsed on every change; bad text is marked, not saved. */
function ParsedField(props: {
  value: unknown;
  parse: (text: string) => unknown;
  /** Re-parse the typed text when this changes (the value_type). */
  parseKey: string;
  onValue: (value: unknown) => void;
  onInvalid: (invalid: boolean) => void;
  placeholder: string;
  title: string;
  testId: string;
}): JSX.Element {
  const [text, setText] = React.useState(formatValue(props.value));
  const [bad, setBad] = React.useState(false);
  const touched = React.useRef(false);
  const apply = (t: string) => {
    const v = props.parse(t);
    const invalid = v instanceof Error;
    setBad(invalid);
    props.onInvalid(invalid);
    if (!invalid) {
      props.onValue(v);
    }
  };
  React.useEffect(() => {
    if (touched.current) {
      apply(text);
    }
  }, [props.parseKey]);
  return (
    <input
      className={`jp-mod-styled mo-Deploy-input${bad ? ' mo-mod-invalid' : ''}`}
      data-testid={props.testId}
      aria-invalid={bad}
      value={text}
      placeholder={props.placeholder}
      title={bad ? props.title : undefined}
      onChange={e => {
        touched.current = true;
        setText(e.target.value);
        apply(e.target.value);
      }}
    />
  );
}

function ParamRow(
  props: IParamsProps & { side: Side; name: string; param: IParam }
): JSX.Element {
  const { side, name, param, trans } = props;
  const edit = (field: keyof IParam, value: unknown) =>
    props.onEdit(side, name, field, value);
  const id = `mo-deploy-${side}-${name}`;
  const problems = rowProblems(props.problems, side, name);
  const type = param.value_type;
  return (
    <tr
      className={`mo-Deploy-paramRow${problems.some(p => p.severity === 'error') ? ' mo-mod-error' : ''}`}
      data-testid={id}
      data-key={name}
    >
      <td className="mo-Deploy-key">
        <code>{name}</code>
      </td>
      <td>
        <select
          className="jp-mod-styled mo-Deploy-select"
          data-testid={`${id}-type`}
          value={type}
          onChange={e => edit('value_type', e.target.value)}
        >
          {!VALUE_TYPES.includes(type) && <option value={type}>{type}</option>}
          {VALUE_TYPES.map(t => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </td>
      {side === 'input' && (
        <td>
          <ParsedField
            value={param.default_value}
            parse={t => parseDefault(t, type)}
            parseKey={type}
            onValue={v => edit('default_value', v)}
            onInvalid={bad => props.onInvalid(`${id}-default`, bad)}
            placeholder={trans.__('none')}
            title={trans.__('Not a value of type %1', type)}
            testId={`${id}-default`}
          />
        </td>
      )}
      <td>
        <input
          className="jp-mod-styled mo-Deploy-input mo-Deploy-description"
          data-testid={`${id}-description`}
          value={param.description ?? ''}
          onChange={e => edit('description', e.target.value || undefined)}
        />
      </td>
      {side === 'input' && (
        <td className="mo-Deploy-center">
          <input
            type="checkbox"
            data-testid={`${id}-optional`}
            checked={!!param.optional}
            onChange={e =>
              edit('optional', e.target.checked ? true : undefined)
            }
          />
        </td>
      )}
      {side === 'input' && (
        <td>
          <ParsedField
            value={param.value_range}
            parse={parseRange}
            parseKey=""
            onValue={v => edit('value_range', v)}
            onInvalid={bad => props.onInvalid(`${id}-range`, bad)}
            placeholder={trans.__('e.g. 0-10, >=0, [a, b]')}
            title={trans.__(
              'A range is a-b, >=a, <=a, a JSON list of choices or {"min": a, "max": b}'
            )}
            testId={`${id}-range`}
          />
        </td>
      )}
      <td className="mo-Deploy-rowProblems">
        <ProblemList problems={problems} trans={trans} compact />
      </td>
    </tr>
  );
}

function ParamTable(props: IParamsProps & { side: Side }): JSX.Element {
  const { side, trans } = props;
  const params = Object.entries(props.spec[side]);
  return (
    <section className="mo-Deploy-params" data-testid={`mo-deploy-${side}s`}>
      <h3 className="mo-Deploy-sectionTitle">
        {side === 'input' ? trans.__('Inputs') : trans.__('Outputs')}
      </h3>
      {!params.length ? (
        <div className="mo-Deploy-empty">
          {side === 'input'
            ? trans.__('No inputs: handle reads no conf keys.')
            : trans.__('No outputs: handle returns no dict keys.')}
        </div>
      ) : (
        <div
          className="mo-Deploy-tableScroll"
          data-testid={`mo-deploy-${side}s-scroll`}
        >
          <table className="mo-Deploy-table">
            <thead>
              <tr>
                <th>{trans.__('Name')}</th>
                <th>{trans.__('Type')}</th>
                {side === 'input' && <th>{trans.__('Default')}</th>}
                <th>{trans.__('Description')}</th>
                {side === 'input' && <th>{trans.__('Optional')}</th>}
                {side === 'input' && <th>{trans.__('Value range')}</th>}
                <th>{trans.__('Problems')}</th>
              </tr>
            </thead>
            <tbody>
              {params.map(([name, param]) => (
                <ParamRow key={name} {...props} name={name} param={param} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ParamsStep(props: IParamsProps): JSX.Element {
  const { trans } = props;
  return (
    <div
      className="mo-Deploy-step mo-Deploy-paramsStep"
      data-testid="mo-deploy-params"
    >
      <p className="mo-Deploy-hint">
        {trans.__(
          "Read from the handle function. Edit any field; the key is the name the caller sends. Editing a row sets aside the parser's errors on it."
        )}
      </p>
      <ProblemList
        problems={generalProblems(props.problems)}
        trans={trans}
        testId="mo-deploy-general-problems"
      />
      <ParamTable {...props} side="input" />
      <ParamTable {...props} side="output" />
      {props.blocking.length > 0 && (
        <div className="mo-Deploy-blocked" data-testid="mo-deploy-blocked">
          {trans.__(
            'Fix the errors above to go on (%1).',
            props.blocking.length
          )}
        </div>
      )}
    </div>
  );
}
