/**
 * The New Training Task wizard (seed 003 §2.3, issue 11 §1): a main-area tab
 * with the deploy wizard's steps bar and six steps, purpose → algorithm →
 * dataset and split → parameters → machine → name, then Save draft or Start.
 */
import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { errorMessage } from '../api';
import { CatalogError } from '../catalog/search';
import { CommandIDs } from '../tokens';
import { ITask, createTask, startTask, updateTask } from './api';
import { MachineStep, NameStep } from './finish';
import { ParamsStep } from './paramsform';
import { IWizardInit, STEPS, WizardState, useTaskWizard } from './state';
import { AlgorithmStep, DatasetStep, Loading, PurposeStep } from './steps';
import { taskRequest } from './values';

export interface ITaskWizardOptions {
  init: IWizardInit;
  trans: TranslationBundle;
  commands: CommandRegistry;
}

export class TaskWizard extends ReactWidget {
  constructor(private _options: ITaskWizardOptions) {
    super();
    this.addClass('mo-DeployWizard');
    this.addClass('mo-TaskWizard');
    const task = _options.init.task;
    this._taskId = _options.init.mode === 'edit' && task ? task.id : null;
  }

  /** The draft this wizard saves to (null until a new task is saved). */
  get taskId(): string | null {
    return this._taskId;
  }

  /** The folder whose project a new task is made in. */
  get folder(): string {
    return this._options.init.folder ?? '';
  }

  get mode(): IWizardInit['mode'] {
    return this._options.init.mode;
  }

  /** A task was saved (as a draft) or started. */
  get saved(): ISignal<this, { task: ITask; started: boolean }> {
    return this._saved;
  }

  render(): JSX.Element {
    return (
      <Wizard
        {...this._options}
        taskId={() => this._taskId}
        onSaved={(task, started) => {
          this._taskId = task.id;
          this._saved.emit({ task, started });
        }}
      />
    );
  }

  private _taskId: string | null;
  private _saved = new Signal<this, { task: ITask; started: boolean }>(this);
}

/** The step a wizard opens on: further in when its values are given. */
function targetStep(init: IWizardInit): number {
  if (init.task) {
    return STEPS.length - 1;
  }
  if (init.module) {
    return init.dataset ? 3 : 2;
  }
  return 0;
}

function useStep(s: WizardState, init: IWizardInit) {
  const [step, setStepState] = React.useState(0);
  const target = React.useRef<number | null>(targetStep(init) || null);
  React.useEffect(() => {
    if (target.current !== null) {
      const next = Math.min(target.current, s.firstOpen);
      setStepState(next);
      if (next === target.current) {
        target.current = null;
      }
    }
  }, [s.firstOpen]);
  const setStep = (i: number) => {
    target.current = null;
    setStepState(i);
  };
  return [step, setStep] as const;
}

function Wizard(
  props: ITaskWizardOptions & {
    taskId: () => string | null;
    onSaved: (task: ITask, started: boolean) => void;
  }
): JSX.Element {
  const { trans, commands, init } = props;
  const s = useTaskWizard(init);
  const [step, setStep] = useStep(s, init);
  const [busy, setBusy] = React.useState<'save' | 'start' | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [folder, setFolder] = React.useState(
    init.mode === 'edit' ? init.task?.folder : undefined
  );
  const last = STEPS.length - 1;

  const go = (i: number) => {
    setError(null);
    setStep(i);
  };

  const save = async (start: boolean) => {
    if (!s.values) {
      return;
    }
    setBusy(start ? 'start' : 'save');
    setError(null);
    const id = props.taskId();
    try {
      let task: ITask;
      // the version whose form the user filled in is the one the task trains
      const shown = s.form.data?.module;
      const pin = (body: ReturnType<typeof taskRequest>) =>
        shown && shown.id === body.module
          ? { ...body, module: `${shown.id}@${shown.version}` }
          : body;
      if (id) {
        task = await updateTask(id, pin(taskRequest(s.values)));
        if (start) {
          props.onSaved(task, false);
          task = await startTask(id);
        }
      } else {
        const body = pin(taskRequest(s.values, start));
        if (init.folder) {
          body.folder = init.folder;
        }
        task = await createTask(body);
      }
      setFolder(task.folder);
      props.onSaved(task, start);
      if (start) {
        Notification.success(trans.__('Training task %1 started', task.name), {
          autoClose: 5000
        });
        if (task.last_job) {
          await commands.execute(CommandIDs.openJob, { id: task.last_job.id });
        }
      } else {
        Notification.success(trans.__('Draft %1 saved', task.name), {
          autoClose: 5000
        });
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const titles = [
    trans.__('Purpose'),
    trans.__('Algorithm'),
    trans.__('Dataset'),
    trans.__('Parameters'),
    trans.__('Machine'),
    trans.__('Name and save')
  ];
  const heading =
    init.mode === 'edit'
      ? trans.__('Edit training task %1', init.task?.name ?? '')
      : init.mode === 'clone'
        ? trans.__('Copy of training task %1', init.task?.name ?? '')
        : init.startModel
          ? trans.__('New training task from the model %1', init.startModel)
          : trans.__('New training task');

  let body: React.ReactNode;
  if (step === 0) {
    body = <PurposeStep s={s} trans={trans} />;
  } else if (step === 1) {
    body = <AlgorithmStep s={s} trans={trans} />;
  } else if (step === 2) {
    body = <DatasetStep s={s} trans={trans} />;
  } else if (!s.form.data) {
    body = s.form.error ? (
      <CatalogError>{s.form.error}</CatalogError>
    ) : (
      <Loading trans={trans} />
    );
  } else if (step === 3) {
    body = <ParamsStep s={s} trans={trans} />;
  } else if (step === 4) {
    body = <MachineStep s={s} trans={trans} />;
  } else {
    body = (
      <NameStep
        s={s}
        trans={trans}
        folder={folder}
        project={init.folder ?? ''}
      />
    );
  }

  return (
    <div
      className="mo-DeployWizard-content mo-TaskWizard-content"
      data-testid="mo-task-wizard"
      data-step={STEPS[step]}
      data-mode={init.mode}
      data-task-id={props.taskId() ?? ''}
    >
      <div className="mo-DeployWizard-header">
        <h1 className="mo-DeployWizard-title">{heading}</h1>
        <ol className="mo-DeployWizard-steps">
          {titles.map((t, i) => (
            <li
              key={t}
              className={`mo-DeployWizard-stepTitle${i === step ? ' mo-mod-current' : ''}${i < step ? ' mo-mod-done' : ''}`}
              data-step={STEPS[i]}
              aria-current={i === step ? 'step' : undefined}
            >
              <button
                className="mo-TaskWizard-stepButton"
                disabled={i > s.firstOpen || !!busy}
                onClick={() => go(i)}
              >
                <span className="mo-DeployWizard-stepNumber">{i + 1}</span>
                {t}
              </button>
            </li>
          ))}
        </ol>
      </div>
      <div className="mo-DeployWizard-body">{body}</div>
      {error && (
        <div className="mo-TaskWizard-error">
          <CatalogError>{error}</CatalogError>
        </div>
      )}
      <div className="mo-DeployWizard-footer">
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          data-testid="mo-task-back"
          disabled={step === 0 || !!busy}
          onClick={() => go(step - 1)}
        >
          {trans.__('Back')}
        </button>
        {step < last ? (
          <button
            className="jp-Button jp-mod-styled jp-mod-accept"
            data-testid="mo-task-next"
            disabled={!s.ready[step] || !!busy}
            onClick={() => go(step + 1)}
          >
            {trans.__('Next')}
          </button>
        ) : (
          <>
            <button
              className="jp-Button jp-mod-styled mo-TaskWizard-save"
              data-testid="mo-task-save"
              disabled={!s.values || !!busy}
              onClick={() => void save(false)}
            >
              {busy === 'save' ? trans.__('Saving…') : trans.__('Save draft')}
            </button>
            <button
              className="jp-Button jp-mod-styled jp-mod-accept mo-TaskWizard-start"
              data-testid="mo-task-start"
              disabled={!s.values || !!busy}
              onClick={() => void save(true)}
            >
              {busy === 'start' ? trans.__('Starting…') : trans.__('Start')}
            </button>
          </>
        )}
      </div>
    </div>
  );
}
