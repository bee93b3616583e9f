/**
 * The "Create Job" dialog: file path, name, machine, arguments, environment
 * variables, description and max run time.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import {
  IConfig,
  ICreateJob,
  IJob,
  createJob,
  errorMessage,
  getConfig
} from '../api';
import {
  TimeUnit,
  machineLabel,
  maxRunToSeconds,
  parseEnvLines
} from './format';
import { shellSplit } from './shlex';

export interface ICreateJobOptions {
  path: string;
  name?: string;
  args?: string;
  /** `NAME=value` lines. */
  env?: string;
  description?: string;
  /** The max run time as typed, and its unit. */
  maxRun?: string;
  maxRunUnit?: TimeUnit;
  /** Chart what frameworks print and TensorBoard files (default true). */
  recognize?: boolean;
  trans: TranslationBundle;
  /** The machine to preselect when the server offers it. */
  defaultMachine: string;
  /** The backend to preselect when the server enables it. */
  defaultBackend?: string;
}

/** What the form holds: the request to send, or why it cannot be sent. */
export interface ICreateJobValue {
  spec: ICreateJob | null;
  error: string | null;
  path: string;
  name: string;
  args: string;
  env: string;
  description: string;
  maxRun: string;
  maxRunUnit: TimeUnit;
  recognize: boolean;
}

/** The dialog body; `getValue` validates (it never throws). */
export class CreateJobForm extends Widget {
  constructor(
    private _options: ICreateJobOptions,
    config: IConfig | null,
    configError: string | null
  ) {
    super();
    const { trans } = _options;
    this.addClass('mo-CreateJobForm');

    this._path = this._input('mo-CreateJob-path', _options.path);
    this._path.placeholder = trans.__('e.g. train.py');
    this._name = this._input('mo-CreateJob-name', _options.name ?? '');
    this._name.placeholder = trans.__('Defaults to the file name');
    this._args = this._input('mo-CreateJob-args', _options.args ?? '');
    this._args.placeholder = trans.__('e.g. --epochs 3 --lr "1e-3"');
    this._description = document.createElement('textarea');
    this._description.className = 'jp-mod-styled mo-CreateJob-description';
    this._description.rows = 2;
    this._description.maxLength = 2000;
    this._description.value = _options.description ?? '';
    this._description.placeholder = trans.__('What this run is for (optional)');
    this._env = document.createElement('textarea');
    this._env.className = 'jp-mod-styled mo-CreateJob-env';
    this._env.rows = 3;
    this._env.spellcheck = false;
    this._env.value = _options.env ?? '';
    this._env.placeholder = trans.__('One NAME=value a line, e.g. SEED=42');
    this._envError = document.createElement('div');
    this._envError.className = 'mo-CreateJob-envError';
    this._envError.setAttribute('role', 'alert');
    this._env.oninput = () => this._checkEnv();
    this._recognize = document.createElement('input');
    this._recognize.type = 'checkbox';
    this._recognize.className = 'mo-CreateJob-recognize';
    this._recognize.checked = _options.recognize ?? true;
    this._maxRun = this._input('mo-CreateJob-maxRun', _options.maxRun ?? '');
    this._maxRun.inputMode = 'decimal';
    this._maxRun.placeholder = trans.__('No limit');
    this._maxRunUnit = document.createElement('select');
    this._maxRunUnit.className = 'jp-mod-styled mo-CreateJob-maxRunUnit';
    for (const [unit, label] of [
      ['minutes', trans.__('minutes')],
      ['hours', trans.__('hours')]
    ]) {
      const opt = document.createElement('option');
      opt.value = unit;
      opt.textContent = label;
      this._maxRunUnit.appendChild(opt);
    }
    this._maxRunUnit.value = _options.maxRunUnit ?? 'minutes';
    this._maxRunUnit.setAttribute('aria-label', trans.__('Unit'));
    // the dialog's sheet (base.css) styles inputs and selects; these too
    for (const area of [this._description, this._env]) {
      Object.assign(area.style, {
        width: '100%',
        boxSizing: 'border-box',
        resize: 'vertical'
      });
    }
    this._env.style.fontFamily = 'var(--jp-code-font-family)';
    this._description.style.fontFamily = 'var(--jp-ui-font-family)';
    Object.assign(this._envError.style, {
      gridColumn: '2',
      color: 'var(--jp-error-color1)'
    });

    this._config = config;
    this._backend = document.createElement('select');
    this._backend.className = 'jp-mod-styled mo-CreateJob-backend';
    for (const name of config?.backends ?? []) {
      const opt = document.createElement('option');
      opt.value = opt.textContent = name;
      this._backend.appendChild(opt);
    }
    const wanted = _options.defaultBackend ?? '';
    this._backend.value = (config?.backends ?? []).includes(wanted)
      ? wanted
      : (config?.default_backend ?? '');
    this._machine = document.createElement('select');
    this._machine.className = 'jp-mod-styled mo-CreateJob-machine';
    this._fillMachines();
    this._backend.onchange = () => this._fillMachines();

    const node = this.node;
    node.appendChild(this._row(trans.__('File'), this._path));
    node.appendChild(this._row(trans.__('Name'), this._name));
    if ((config?.backends ?? []).length > 1) {
      node.appendChild(this._row(trans.__('Backend'), this._backend));
    }
    node.appendChild(this._row(trans.__('Machine'), this._machine));
    node.appendChild(this._row(trans.__('Arguments'), this._args));
    node.appendChild(
      this._row(trans.__('Environment variables'), this._env, this._envError)
    );
    const maxRun = document.createElement('span');
    maxRun.className = 'mo-CreateJob-maxRunGroup';
    Object.assign(maxRun.style, { display: 'flex', gap: '4px' });
    Object.assign(this._maxRunUnit.style, {
      width: 'auto',
      flex: '0 0 auto',
      paddingRight: '24px'
    });
    maxRun.append(this._maxRun, this._maxRunUnit);
    node.appendChild(this._row(trans.__('Max run time'), maxRun));
    node.appendChild(this._row(trans.__('Description'), this._description));
    const recognize = document.createElement('label');
    recognize.className = 'mo-CreateJob-recognizeLabel';
    recognize.append(
      this._recognize,
      ' ' +
        trans.__(
          'Chart what frameworks print (Keras, Hugging Face, Lightning) and TensorBoard files'
        )
    );
    node.appendChild(this._row(trans.__('Metrics'), recognize));
    this._checkEnv();
    if (configError) {
      const warn = document.createElement('div');
      warn.className = 'mo-CreateJobForm-warning';
      warn.textContent = trans.__(
        'Cannot read the server configuration: %1',
        configError
      );
      node.appendChild(warn);
    }
  }

  getValue(): ICreateJobValue {
    const { trans } = this._options;
    const path = this._path.value.trim();
    const name = this._name.value.trim();
    const raw = this._args.value;
    const value: ICreateJobValue = {
      spec: null,
      error: null,
      path,
      name,
      args: raw,
      env: this._env.value,
      description: this._description.value,
      maxRun: this._maxRun.value,
      maxRunUnit: this._maxRunUnit.value as TimeUnit,
      recognize: this._recognize.checked
    };
    if (!path) {
      value.error = trans.__('Choose a file to run.');
      return value;
    }
    let args: string[];
    try {
      args = shellSplit(raw);
    } catch (err) {
      value.error = trans.__('Invalid arguments: %1', errorMessage(err));
      return value;
    }
    const envError = this._checkEnv();
    if (envError) {
      value.error = envError;
      return value;
    }
    const maxRun = maxRunToSeconds(value.maxRun, value.maxRunUnit);
    if (maxRun !== null && isNaN(maxRun)) {
      value.error = trans.__(
        'The max run time must be a positive number of at most 30 days.'
      );
      return value;
    }
    const spec: ICreateJob = { path, args };
    const env = parseEnvLines(value.env).env;
    if (Object.keys(env).length) {
      spec.env = env;
    }
    const description = value.description.trim();
    if (description) {
      spec.description = description;
    }
    if (maxRun !== null) {
      spec.max_run_seconds = maxRun;
    }
    if (!value.recognize) {
      spec.recognize = false;
    }
    if (name) {
      spec.name = name;
    }
    if (this._machine.value) {
      spec.machine = this._machine.value;
    }
    if ((this._config?.backends ?? []).length > 1 && this._backend.value) {
      spec.backend = this._backend.value;
    }
    value.spec = spec;
    return value;
  }

  protected onAfterAttach(): void {
    (this._options.path ? this._args : this._path).focus();
  }

  /** The machine types of the chosen backend; keeps a preferred one selected. */
  private _fillMachines(): void {
    const { trans } = this._options;
    const config = this._config;
    const machines =
      config?.backend_machines?.[this._backend.value] ?? config?.machines ?? [];
    const preferred = [
      this._machine.value,
      this._options.defaultMachine,
      config?.default_machine ?? ''
    ];
    this._machine.textContent = '';
    for (const m of machines) {
      const opt = document.createElement('option');
      opt.value = m.name;
      opt.disabled = !m.available;
      opt.textContent = machineLabel(trans, m);
      this._machine.appendChild(opt);
    }
    const usable = (name: string) =>
      machines.some(m => m.name === name && m.available);
    this._machine.value =
      preferred.find(usable) ?? machines.find(m => m.available)?.name ?? '';
  }

  /** Show (and return) the first bad environment line's error, or ''. */
  private _checkEnv(): string {
    const { trans } = this._options;
    const { error } = parseEnvLines(this._env.value);
    let text = '';
    if (error) {
      text =
        error.why === 'no-equals'
          ? trans.__('Line %1: write NAME=value', error.line)
          : trans.__(
              'Line %1: a name is letters, digits and _, not starting with a digit',
              error.line
            );
    }
    this._envError.textContent = text;
    this._envError.hidden = !text;
    this._env.classList.toggle('mo-mod-invalid', !!text);
    return text;
  }

  private _input(cls: string, value: string): HTMLInputElement {
    const input = document.createElement('input');
    input.type = 'text';
    input.className = `jp-mod-styled ${cls}`;
    input.value = value;
    return input;
  }

  private _row(
    label: string,
    control: HTMLElement,
    note?: HTMLElement
  ): HTMLElement {
    const row = document.createElement('label');
    row.className = 'mo-CreateJobForm-row';
    const span = document.createElement('span');
    span.textContent = label;
    row.appendChild(span);
    row.appendChild(control);
    if (note) {
      row.appendChild(note);
    }
    return row;
  }

  private _path: HTMLInputElement;
  private _name: HTMLInputElement;
  private _args: HTMLInputElement;
  private _env: HTMLTextAreaElement;
  private _envError: HTMLDivElement;
  private _description: HTMLTextAreaElement;
  private _maxRun: HTMLInputElement;
  private _maxRunUnit: HTMLSelectElement;
  private _recognize: HTMLInputElement;
  private _machine: HTMLSelectElement;
  private _backend: HTMLSelectElement;
  private _config: IConfig | null;
}

/**
 * Show the dialog and create the job; resolves to the new job, or null when
 * cancelled. A rejected request shows the server's message and reopens the
 * form with the values kept.
 */
export async function showCreateJobDialog(
  options: ICreateJobOptions
): Promise<IJob | null> {
  const { trans } = options;
  let config: IConfig | null = null;
  let configError: string | null = null;
  try {
    config = await getConfig();
  } catch (err) {
    configError = errorMessage(err);
  }
  let current = options;
  for (;;) {
    const body = new CreateJobForm(current, config, configError);
    const result = await showDialog<ICreateJobValue>({
      title: trans.__('Create Job'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Create') })
      ],
      focusNodeSelector: current.path
        ? '.mo-CreateJob-args'
        : '.mo-CreateJob-path'
    });
    const value = result.value;
    if (!result.button.accept || !value) {
      return null;
    }
    current = {
      ...current,
      path: value.path,
      name: value.name,
      args: value.args,
      env: value.env,
      description: value.description,
      maxRun: value.maxRun,
      maxRunUnit: value.maxRunUnit,
      recognize: value.recognize
    };
    if (!value.spec) {
      await showErrorMessage(trans.__('Cannot create job'), value.error ?? '');
      continue;
    }
    try {
      return await createJob(value.spec);
    } catch (err) {
      await showErrorMessage(trans.__('Cannot create job'), errorMessage(err));
    }
  }
}
