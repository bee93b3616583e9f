/**
 * The "Create Job" dialog: file path, name, machine, arguments.
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
import { shellSplit } from './shlex';

export interface ICreateJobOptions {
  path: string;
  name?: string;
  args?: string;
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
      args: raw
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
    const spec: ICreateJob = { path, args };
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
      const about = [
        m.cpus ? trans.__('%1 CPU', m.cpus) : '',
        m.memory ? String(m.memory) : '',
        m.gpus ? trans.__('%1 GPU', m.gpus) : '',
        m.image ?? ''
      ].filter(Boolean);
      const label = about.length ? `${m.name} (${about.join(', ')})` : m.name;
      opt.textContent = m.available
        ? label
        : trans.__('%1 (unavailable: %2)', m.name, m.reason ?? '');
      this._machine.appendChild(opt);
    }
    const usable = (name: string) =>
      machines.some(m => m.name === name && m.available);
    this._machine.value =
      preferred.find(usable) ?? machines.find(m => m.available)?.name ?? '';
  }

  private _input(cls: string, value: string): HTMLInputElement {
    const input = document.createElement('input');
    input.type = 'text';
    input.className = `jp-mod-styled ${cls}`;
    input.value = value;
    return input;
  }

  private _row(label: string, control: HTMLElement): HTMLElement {
    const row = document.createElement('label');
    row.className = 'mo-CreateJobForm-row';
    const span = document.createElement('span');
    span.textContent = label;
    row.appendChild(span);
    row.appendChild(control);
    return row;
  }

  private _path: HTMLInputElement;
  private _name: HTMLInputElement;
  private _args: HTMLInputElement;
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
    current = { ...current, path: value.path, name: value.name, args: value.args };
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
