/**
 * The deploy wizard (seeds: "准备部署文件" and "部署应用项目"): a main-area
 * tab for one notebook with four steps and Back / Next: select cells ->
 * preview handler.py -> inputs and outputs -> app_spec.yml and deploy.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { errorMessage } from '../api';
import { useBusy } from '../catalog/details';
import { CatalogError } from '../catalog/search';
import { IService, Version } from './api';
import {
  IWritten,
  NoServiceEndpoint,
  settled,
  startDeploy,
  writeFiles
} from './actions';
import { checkedFiles } from './files';
import { specToYaml } from './spec';
import { useWizardState } from './state';
import { CellsStep } from './steps/cells';
import { DeployStep, IStatus } from './steps/deploy';
import { HandlerStep } from './steps/handler';
import { ParamsStep } from './steps/params';
import { useServiceName, useTargets } from './hooks';
import { ServiceFailure, serviceDeleted } from './services';
import { openTestPage, testPageUrl } from './testpage';

export const STEPS = ['cells', 'handler', 'params', 'deploy'] as const;
export type StepName = (typeof STEPS)[number];

export interface IWizardOptions {
  app: JupyterFrontEnd;
  path: string;
  contents: Contents.IManager;
  trans: TranslationBundle;
  /** Start on this step when the scan allows it. */
  step?: StepName;
}

export class DeployWizard extends ReactWidget {
  constructor(private _options: IWizardOptions) {
    super();
    this.addClass('mo-DeployWizard');
    this.node.dataset.path = _options.path;
  }

  get path(): string {
    return this._options.path;
  }

  /** Scan again (the notebook was saved again), optionally jumping to a step. */
  reload(step?: StepName): void {
    this._options = { ...this._options, step };
    this._generation++;
    this.update();
  }

  render(): JSX.Element {
    return <Wizard {...this._options} generation={this._generation} />;
  }

  private _generation = 0;
}

function Wizard(props: IWizardOptions & { generation: number }): JSX.Element {
  const { app, path, contents, trans } = props;
  const s = useWizardState(path, contents, props.generation);
  const [step, setStep] = React.useState(0);
  const [version, setVersion] = React.useState<Version>('dev');
  const [target, setTarget] = React.useState('local');
  const targets = useTargets(trans);
  const where = targets.find(t => t.value === target) ?? targets[0];
  const [written, setWritten] = React.useState<
    (IWritten & { key: string }) | null
  >(null);
  const [status, setStatus] = React.useState<IStatus | null>(null);
  const [failed, setFailed] = React.useState<IService | null>(null);
  // the service the status line is about (cleared when it is deleted)
  const about = React.useRef<string | null>(null);
  const setAbout = (id: string | null) => {
    about.current = id;
  };
  const { name, setName, nameProblem, replacing, refreshServices } =
    useServiceName(
      path,
      version,
      step === STEPS.length - 1,
      props.generation,
      trans
    );
  React.useEffect(() => {
    const onDeleted = (_: unknown, id: string) => {
      if (about.current === id) {
        about.current = null;
        setStatus(null);
        setFailed(null);
      }
    };
    serviceDeleted.connect(onDeleted);
    return () => {
      serviceDeleted.disconnect(onDeleted);
    };
  }, []);
  const [busy, run] = useBusy();
  const jumped = React.useRef(-1);

  // a reload goes back to the first step, or to the one asked for once the scan is in
  React.useEffect(() => {
    setStep(0);
    setStatus(null);
    setFailed(null);
    setAbout(null);
  }, [props.generation]);
  React.useEffect(() => {
    if (
      props.step &&
      s.scan &&
      !s.loading &&
      jumped.current !== props.generation
    ) {
      jumped.current = props.generation;
      const want = STEPS.indexOf(props.step);
      const ok = s.selected.length ? (s.blocking ? 2 : 3) : 0;
      setStep(Math.min(want, ok));
    }
  }, [s.scan, s.loading, props.generation]);

  const upToDate = written && written.key === s.fingerprint ? written : null;

  const write = async (): Promise<IWritten | null> => {
    setStatus({
      kind: 'info',
      text: trans.__('Writing handler.py and app_spec.yml…')
    });
    const w = await writeFiles(trans, contents, {
      notebook: path,
      cells: s.selected,
      spec: s.spec,
      ...(s.handlerEdited ? { handler: s.handler } : {})
    });
    if (!w) {
      setStatus({
        kind: 'info',
        text: trans.__('Nothing written: the files were kept.')
      });
      return null;
    }
    setWritten({ ...w, key: s.fingerprint });
    setStatus({
      kind: 'success',
      text: trans.__(
        'Wrote handler.py and app_spec.yml in %1',
        w.result.folder || '/'
      )
    });
    return w;
  };

  const onWrite = () =>
    void run('write', async () => {
      try {
        await write();
      } catch (err) {
        setStatus({
          kind: 'error',
          text: trans.__('Cannot write the files: %1', errorMessage(err))
        });
      }
    });

  const onDeploy = () =>
    void run('deploy', async () => {
      try {
        const w = upToDate ?? (await write());
        if (!w) {
          return;
        }
        setStatus({
          kind: 'info',
          text: trans.__('Deploying %1 (%2)…', name, version)
        });
        setFailed(null);
        setAbout(null);
        const started = await startDeploy(trans, {
          folder: w.result.folder,
          version,
          files: checkedFiles(s.files),
          name,
          backend: where.backend,
          ...(where.machine ? { machine: where.machine } : {})
        });
        setAbout(started.id);
        setStatus({
          kind: 'info',
          text: trans.__('Starting %1…', started.id)
        });
        const service = await settled(started); // at most a minute: running, or failed with its error
        refreshServices();
        if (service.state === 'failed') {
          setFailed(service);
          setStatus({
            kind: 'error',
            text: trans.__(
              'The service failed to start: %1',
              service.error ?? service.reason ?? ''
            )
          });
          return;
        }
        setStatus({
          kind: 'success',
          text: trans.__(
            'Deployed %1 (%2): %3',
            service.id,
            service.state,
            service.url
          )
        });
        await openTestPage(app, service, trans);
        Notification.success(
          trans.__('Deployed %1 at %2', service.id, service.url),
          {
            autoClose: 8000,
            actions: [
              {
                label: trans.__('Open test page'),
                callback: () => void openTestPage(app, service, trans)
              },
              {
                label: trans.__('Copy URL'),
                callback: () =>
                  void testPageUrl(service)
                    .then(url => navigator.clipboard?.writeText(url))
                    .catch(err => Notification.error(errorMessage(err)))
              }
            ]
          }
        );
      } catch (err) {
        setStatus({
          kind: 'error',
          text:
            err instanceof NoServiceEndpoint
              ? err.message
              : trans.__('Cannot deploy: %1', errorMessage(err))
        });
      }
    });

  const titles = [
    trans.__('Select cells'),
    trans.__('Preview handler.py'),
    trans.__('Inputs and outputs'),
    trans.__('app_spec.yml and deploy')
  ];
  const canNext = [
    !!s.scan && s.selected.length > 0 && !s.loading,
    s.handler.trim().length > 0,
    s.blocking === 0 && !s.loading,
    false
  ][step];

  let body: React.ReactNode;
  if (!s.scan) {
    body = s.loadError ? (
      <CatalogError>
        {trans.__('Cannot read the notebook: %1', s.loadError)}
      </CatalogError>
    ) : (
      <div className="mo-Catalog-loading">{trans.__('Loading…')}</div>
    );
  } else if (step === 0) {
    body = (
      <CellsStep
        scan={s.scan}
        sources={s.sources}
        selected={s.selected}
        trans={trans}
        onToggle={(i, on) =>
          s.setSelected(
            on ? [...s.selected, i] : s.selected.filter(x => x !== i)
          )
        }
        onSelectAll={on =>
          s.setSelected(on ? s.scan!.cells.map(c => c.index) : [])
        }
      />
    );
  } else if (step === 1) {
    body = (
      <HandlerStep
        text={s.handler}
        edited={s.handlerEdited}
        onChange={s.setHandler}
        onReset={() => s.setHandler(null)}
        trans={trans}
      />
    );
  } else if (step === 2) {
    body = (
      <ParamsStep
        spec={s.spec}
        problems={s.scan.problems}
        blocking={s.blockingList}
        onEdit={s.edit}
        onInvalid={s.setInvalid}
        trans={trans}
      />
    );
  } else {
    body = (
      <DeployStep
        yaml={specToYaml(s.spec)}
        writtenYaml={upToDate ? upToDate.yaml : null}
        folder={s.folder}
        version={version}
        onVersion={setVersion}
        name={name}
        onName={setName}
        nameProblem={nameProblem}
        replacing={replacing}
        targets={targets}
        target={where.value}
        onTarget={setTarget}
        files={s.files}
        onFile={s.setFile}
        busy={busy}
        status={status}
        onWrite={onWrite}
        onDeploy={onDeploy}
        trans={trans}
      />
    );
  }

  return (
    <div
      className="mo-DeployWizard-content"
      data-testid="mo-deploy-wizard"
      data-step={STEPS[step]}
      data-loading={s.loading ? 'true' : 'false'}
      data-generation={props.generation}
    >
      <div className="mo-DeployWizard-header">
        <h1 className="mo-DeployWizard-title">{trans.__('Deploy %1', path)}</h1>
        <ol className="mo-DeployWizard-steps">
          {titles.map((t, i) => (
            <li
              key={t}
              className={`mo-DeployWizard-stepTitle${i === step ? ' mo-mod-current' : ''}${i < step ? ' mo-mod-done' : ''}`}
              data-testid={`mo-deploy-step-${STEPS[i]}`}
              aria-current={i === step ? 'step' : undefined}
            >
              <span className="mo-DeployWizard-stepNumber">{i + 1}</span>
              {t}
            </li>
          ))}
        </ol>
      </div>
      {s.scan && s.loadError && <CatalogError>{s.loadError}</CatalogError>}
      <div className="mo-DeployWizard-body" key={props.generation}>
        {body}
        {failed && step === STEPS.length - 1 && (
          <ServiceFailure service={failed} trans={trans} />
        )}
      </div>
      <div className="mo-DeployWizard-footer">
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          data-testid="mo-deploy-back"
          disabled={step === 0 || !!busy}
          onClick={() => setStep(step - 1)}
        >
          {trans.__('Back')}
        </button>
        {step < STEPS.length - 1 && (
          <button
            className="jp-Button jp-mod-styled jp-mod-accept"
            data-testid="mo-deploy-next"
            disabled={!canNext}
            onClick={() => setStep(step + 1)}
          >
            {trans.__('Next')}
          </button>
        )}
        <button
          className="jp-Button jp-mod-styled jp-mod-minimal mo-DeployWizard-rescan"
          data-testid="mo-deploy-rescan"
          disabled={!!busy}
          title={trans.__('Read the saved notebook again')}
          onClick={s.reload}
        >
          {trans.__('Rescan')}
        </button>
      </div>
    </div>
  );
}
