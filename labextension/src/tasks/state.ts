/**
 * The New Training Task wizard's state: what each step chose, what the
 * server answered for it (algorithms of the purpose, the module's form, the
 * machines), and whether each step lets the user go on.
 */
import * as React from 'react';

import { IConfig, IMachine, errorMessage, getConfig } from '../api';
import { TimeUnit, maxRunToSeconds, secondsToMaxRun } from '../jobs/format';
import {
  IAlgorithm,
  IDatasetChoice,
  ITask,
  ITaskForm,
  SplitKind,
  getTaskForm,
  listAlgorithms
} from './api';
import { Problem, RawValue, initialRaw, readParams } from './validate';
import {
  IWizardValues,
  defaultTaskName,
  initialSplit,
  splitRequest
} from './values';

export const STEPS = [
  'purpose',
  'algorithm',
  'dataset',
  'params',
  'machine',
  'name'
] as const;
export type StepName = (typeof STEPS)[number];

/** How the wizard opens: a new task (maybe pre-selected), a draft, a copy. */
export interface IWizardInit {
  mode: 'new' | 'edit' | 'clone';
  task?: ITask;
  module?: string;
  dataset?: string;
  /** The name a clone starts with. */
  name?: string;
  /** Where a new task is made: the project of this folder (root-relative). */
  folder?: string;
  /** Parameter values to start with (for `module`). */
  params?: { [name: string]: unknown };
  /** Transfer training: the model file (root-relative) to go on from. */
  startModel?: string;
}

/** The parameters a new wizard starts with: `params`, and the model to go on from. */
function startWith(
  init: IWizardInit,
  form: ITaskForm
): { [name: string]: unknown } {
  const param = form.module.start_model_param;
  return {
    ...(init.params ?? {}),
    ...(init.startModel && param ? { [param]: init.startModel } : {})
  };
}

/** A server answer being fetched: its data, or why not. */
export interface ILoad<T> {
  data: T | null;
  loading: boolean;
  error: string | null;
}

const idle = <T>(): ILoad<T> => ({ data: null, loading: false, error: null });

/** Fetch `fetcher(key)` whenever `key` changes (nothing for an empty key). */
function useLoad<T>(
  key: string | null,
  fetcher: (key: string) => Promise<T>
): ILoad<T> {
  const [state, setState] = React.useState<ILoad<T>>(idle<T>());
  React.useEffect(() => {
    if (key === null) {
      setState(idle<T>());
      return;
    }
    let live = true;
    setState({ data: null, loading: true, error: null });
    fetcher(key).then(
      data => live && setState({ data, loading: false, error: null }),
      err =>
        live &&
        setState({ data: null, loading: false, error: errorMessage(err) })
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state;
}

/** The machine types of a backend. */
export function backendMachines(
  config: IConfig | null,
  backend: string
): IMachine[] {
  return config?.backend_machines?.[backend] ?? config?.machines ?? [];
}

export function useTaskWizard(init: IWizardInit) {
  const task = init.task;
  const [purpose, setPurpose] = React.useState(task?.purpose ?? '');
  const [module, setModule] = React.useState(
    task?.module.id ?? init.module ?? ''
  );
  const [dataset, setDataset] = React.useState(
    task?.dataset.id ?? init.dataset ?? ''
  );
  const [splitKind, setSplitKind] = React.useState<SplitKind | ''>(
    task?.split.kind ?? ''
  );
  const [ratio, setRatio] = React.useState(
    task?.split.ratio !== undefined ? String(task.split.ratio) : ''
  );
  const [raw, setRaw] = React.useState<{ [name: string]: RawValue }>({});
  const [backend, setBackend] = React.useState(task?.backend ?? '');
  const [machine, setMachine] = React.useState(task?.machine ?? '');
  const firstMaxRun = secondsToMaxRun(task?.max_run_seconds);
  const [maxRun, setMaxRun] = React.useState(firstMaxRun.value);
  const [maxRunUnit, setMaxRunUnit] = React.useState<TimeUnit>(
    firstMaxRun.unit
  );
  const [name, setNameState] = React.useState(init.name ?? task?.name ?? '');
  const [nameTouched, setNameTouched] = React.useState(!!(init.name ?? task));
  const [description, setDescription] = React.useState(task?.description ?? '');

  // every algorithm: how many each purpose has, and the purpose of a
  // module pre-selected without one
  const all = useLoad<IAlgorithm[]>('all', () => listAlgorithms());
  React.useEffect(() => {
    const found = all.data?.find(a => a.id === module);
    if (found && !purpose) {
      setPurpose(found.purposes[0] ?? '');
    }
  }, [all.data]);

  const algorithms = useLoad<IAlgorithm[]>(purpose || null, p =>
    listAlgorithms(p)
  );
  const form = useLoad<ITaskForm>(module || null, getTaskForm);
  const config = useLoad<IConfig>('config', () => getConfig());

  // a module the purpose does not list is dropped
  React.useEffect(() => {
    if (
      algorithms.data &&
      module &&
      !algorithms.data.some(a => a.id === module)
    ) {
      setModule('');
    }
  }, [algorithms.data]);

  // a new form: keep a compatible dataset, fill the parameters
  const seeded = React.useRef(false);
  React.useEffect(() => {
    const f = form.data;
    if (!f) {
      return;
    }
    const given = task
      ? { module: task.module.id, params: task.params }
      : { module: init.module, params: startWith(init, f) };
    const seed =
      !seeded.current && given.module === f.module.id
        ? (given.params ?? {})
        : {};
    seeded.current = seeded.current || Object.keys(seed).length > 0;
    setRaw(initialRaw(f.params_schema, seed));
    if (!f.datasets.some(d => d.id === dataset)) {
      // the only dataset that fits is chosen for the user
      setDataset(f.datasets.length === 1 ? f.datasets[0].id : '');
    }
  }, [form.data]);

  const chosenDataset: IDatasetChoice | null =
    form.data?.datasets.find(d => d.id === dataset) ?? null;
  // a dataset chosen: the split its choices allow
  React.useEffect(() => {
    if (!chosenDataset) {
      return;
    }
    const next = initialSplit(
      chosenDataset,
      splitKind ? { kind: splitKind } : task?.split
    );
    setSplitKind(next.kind);
    if (!ratio) {
      setRatio(next.ratio);
    }
  }, [chosenDataset?.id, form.data]);

  // the backend and machine: the task's, else the server's defaults
  React.useEffect(() => {
    const c = config.data;
    if (!c) {
      return;
    }
    const b = c.backends.includes(backend) ? backend : c.default_backend;
    setBackend(b);
    const machines = backendMachines(c, b);
    const usable = (n: string) =>
      machines.some(m => m.name === n && m.available);
    setMachine(
      [machine, c.default_machine].find(usable) ??
        machines.find(m => m.available)?.name ??
        ''
    );
  }, [config.data]);

  const chooseBackend = (b: string) => {
    setBackend(b);
    const machines = backendMachines(config.data, b);
    if (!machines.some(m => m.name === machine && m.available)) {
      setMachine(machines.find(m => m.available)?.name ?? '');
    }
  };

  const suggested = defaultTaskName(module, dataset);
  const setName = (n: string) => {
    setNameState(n);
    setNameTouched(true);
  };
  const shownName = nameTouched ? name : suggested;

  const params = form.data
    ? readParams(form.data.params_schema, raw)
    : { values: {}, problems: {} as { [name: string]: Problem } };
  const split = splitRequest(splitKind, ratio);
  const maxRunSeconds = maxRunToSeconds(maxRun, maxRunUnit);
  const machines = backendMachines(config.data, backend);

  /** Whether each step's choices are complete and valid. */
  const ready: boolean[] = [
    !!purpose,
    !!module && !!algorithms.data?.some(a => a.id === module),
    !!chosenDataset && !!split,
    !!form.data && Object.keys(params.problems).length === 0,
    !!config.data &&
      (machines.length === 0 ||
        machines.some(m => m.name === machine && m.available)) &&
      !(maxRunSeconds !== null && isNaN(maxRunSeconds)),
    !!shownName.trim()
  ];
  /** The first step that is not ready (STEPS.length when all are). */
  const firstOpen = ready.findIndex(r => !r);

  const values: IWizardValues | null =
    firstOpen === -1 && split
      ? {
          purpose,
          module,
          dataset,
          split,
          params: params.values,
          backend,
          machine,
          maxRunSeconds,
          name: shownName,
          description
        }
      : null;

  return {
    purpose,
    setPurpose: (p: string) => setPurpose(p),
    module,
    setModule,
    dataset,
    setDataset,
    splitKind,
    setSplitKind,
    ratio,
    setRatio,
    raw,
    setField: (n: string, v: RawValue) => setRaw(r => ({ ...r, [n]: v })),
    params,
    backend,
    setBackend: chooseBackend,
    machine,
    setMachine,
    machines,
    maxRun,
    setMaxRun,
    maxRunUnit,
    setMaxRunUnit,
    maxRunSeconds,
    name: shownName,
    setName,
    suggested,
    description,
    setDescription,
    all,
    algorithms,
    form,
    config,
    chosenDataset,
    ready,
    firstOpen: firstOpen === -1 ? STEPS.length : firstOpen,
    values
  };
}

export type WizardState = ReturnType<typeof useTaskWizard>;
