/**
 * The wizard's last two steps: the machine (backend, machine type, max run
 * time, as the Create Job dialog offers them) and the name, description and
 * a summary of every choice before Save draft / Start.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { purposeLabel } from '../catalog/labels';
import { CatalogError } from '../catalog/search';
import { TimeUnit, machineLabel } from '../jobs/format';
import { WizardState } from './state';
import { Loading } from './steps';
import { percent } from './values';

/** A machine type as the Create Job dialog lists it. */
function Row(props: {
  label: string;
  children: React.ReactNode;
  field: string;
}): JSX.Element {
  return (
    <label className="mo-TaskRow" data-field={props.field}>
      <span className="mo-TaskRow-label">{props.label}</span>
      <span className="mo-TaskRow-control">{props.children}</span>
    </label>
  );
}

export function MachineStep(props: {
  s: WizardState;
  trans: TranslationBundle;
}): JSX.Element {
  const { s, trans } = props;
  if (s.config.error) {
    return (
      <CatalogError>
        {trans.__('Cannot read the server configuration: %1', s.config.error)}
      </CatalogError>
    );
  }
  const config = s.config.data;
  if (!config) {
    return <Loading trans={trans} />;
  }
  const badMaxRun = s.maxRunSeconds !== null && isNaN(s.maxRunSeconds);
  return (
    <div className="mo-Deploy-step mo-TaskStep mo-TaskForm">
      <p className="mo-Deploy-hint">
        {trans.__('Where the training runs, as a job of the task.')}
      </p>
      <Row label={trans.__('Backend')} field="backend">
        <select
          className="jp-mod-styled mo-TaskBackend"
          value={s.backend}
          disabled={config.backends.length < 2}
          onChange={e => s.setBackend(e.currentTarget.value)}
        >
          {config.backends.map(b => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </Row>
      <Row label={trans.__('Machine')} field="machine">
        <select
          className="jp-mod-styled mo-TaskMachine"
          value={s.machine}
          onChange={e => s.setMachine(e.currentTarget.value)}
        >
          {s.machines.map(m => (
            <option key={m.name} value={m.name} disabled={!m.available}>
              {machineLabel(trans, m)}
            </option>
          ))}
        </select>
      </Row>
      <Row label={trans.__('Max run time')} field="max_run">
        <span className="mo-TaskMaxRun">
          <input
            type="text"
            inputMode="decimal"
            className={`jp-mod-styled mo-TaskMaxRun-value${badMaxRun ? ' mo-mod-invalid' : ''}`}
            placeholder={trans.__('No limit')}
            value={s.maxRun}
            onChange={e => s.setMaxRun(e.currentTarget.value)}
          />
          <select
            className="jp-mod-styled mo-TaskMaxRun-unit"
            aria-label={trans.__('Unit')}
            value={s.maxRunUnit}
            onChange={e => s.setMaxRunUnit(e.currentTarget.value as TimeUnit)}
          >
            <option value="minutes">{trans.__('minutes')}</option>
            <option value="hours">{trans.__('hours')}</option>
          </select>
        </span>
      </Row>
      {badMaxRun && (
        <div className="mo-TaskField-error" role="alert">
          {trans.__(
            'The max run time must be a positive number of at most 30 days.'
          )}
        </div>
      )}
    </div>
  );
}

function splitText(s: WizardState, trans: TranslationBundle): string {
  if (s.splitKind === 'ratio') {
    return trans.__('Ratio: %1', s.ratio);
  }
  if (s.splitKind === 'independent') {
    return trans.__('Independent test set');
  }
  const share = s.chosenDataset?.test_set;
  return typeof share === 'number'
    ? trans.__('Train share of the dataset: %1 %', percent(share))
    : trans.__("The dataset's own split");
}

export function NameStep(props: {
  s: WizardState;
  trans: TranslationBundle;
  /** The task's folder once saved. */
  folder?: string;
  /** Before: the folder whose project it is made in. */
  project: string;
}): JSX.Element {
  const { s, trans } = props;
  const params = Object.entries(s.params.values)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  const maxRun = s.maxRun.trim()
    ? `${s.maxRun.trim()} ${s.maxRunUnit === 'hours' ? trans.__('hours') : trans.__('minutes')}`
    : trans.__('No limit');
  const summary: [string, string, string][] = [
    ['purpose', trans.__('Purpose'), purposeLabel(trans, s.purpose)],
    ['module', trans.__('Algorithm'), s.module],
    ['dataset', trans.__('Dataset'), s.dataset],
    ['split', trans.__('Split'), splitText(s, trans)],
    ['params', trans.__('Parameters'), params || trans.__('(defaults)')],
    ['machine', trans.__('Machine'), `${s.backend} · ${s.machine}`],
    ['max_run', trans.__('Max run time'), maxRun]
  ];
  summary.push(
    props.folder
      ? ['folder', trans.__('Folder'), props.folder]
      : [
          'folder',
          trans.__('Folder'),
          trans.__(
            'tasks/<name> in the project of %1',
            props.project ? props.project : '/'
          )
        ]
  );
  return (
    <div className="mo-Deploy-step mo-TaskStep mo-TaskForm">
      <Row label={trans.__('Name')} field="name">
        <input
          type="text"
          className={`jp-mod-styled mo-TaskName${s.name.trim() ? '' : ' mo-mod-invalid'}`}
          value={s.name}
          maxLength={100}
          placeholder={s.suggested}
          onChange={e => s.setName(e.currentTarget.value)}
        />
      </Row>
      <Row label={trans.__('Description')} field="description">
        <textarea
          className="jp-mod-styled mo-TaskDescription"
          rows={3}
          maxLength={2000}
          value={s.description}
          placeholder={trans.__('What this training is for (optional)')}
          onChange={e => s.setDescription(e.currentTarget.value)}
        />
      </Row>
      <table className="mo-TaskSummary" data-testid="mo-task-summary">
        <tbody>
          {summary.map(([key, label, value]) => (
            <tr key={key} data-field={key}>
              <th>{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
