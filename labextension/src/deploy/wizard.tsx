/**
 * The deploy wizard (seeds: "准备部署文件" and "部署应用项目"): a main-area
 * tab for one notebook with four steps and Back / Next: select cells ->
 * preview handler.py -> inputs and outputs -> app_spec.yml and deploy.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { CatalogError } from '../catalog/search';
import { Version } from './api';
import { useDeployRun } from './deploying';
import { IGateState, canGoOn, reachableStep } from './gates';
import { useServiceName, useTargets } from './hooks';
import { ServiceFailure } from './services';
import { specToYaml } from './spec';
import { useWizardState } from './state';
import { CellsStep } from './steps/cells';
import { DeployStep } from './steps/deploy';
import { HandlerStep } from './steps/handler';
import { ParamsStep } from './steps/params';

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
  const { name, setName, nameProblem, replacing, refreshServices } =
    useServiceName(
      path,
      version,
      step === STEPS.length - 1,
      props.generation,
      trans
    );
  const d = useDeployRun({
    app,
    path,
    contents,
    trans,
    state: s,
    version,
    name,
    where,
    onSettled: refreshServices
  });
  const jumped = React.useRef(-1);
  const gate: IGateState = { ...s, scanned: !!s.scan };

  // a reload goes back to the first step, or to the one asked for once the scan is in
  React.useEffect(() => {
    setStep(0);
    d.clear();
  }, [props.generation]);
  React.useEffect(() => {
    if (
      props.step &&
      s.scan &&
      !s.loading &&
      jumped.current !== props.generation
    ) {
      jumped.current = props.generation;
      setStep(reachableStep(STEPS.indexOf(props.step), gate));
    }
  }, [s.scan, s.loading, props.generation]);

  const titles = [
    trans.__('Select cells'),
    trans.__('Preview handler.py'),
    trans.__('Inputs and outputs'),
    trans.__('app_spec.yml and deploy')
  ];
  const canNext = canGoOn(step, gate);

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
        errors={s.cellErrors}
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
        pending={s.handlerPending}
        errors={s.handlerErrors}
        onChange={s.setHandler}
        onReset={() => s.setHandler(null)}
        trans={trans}
      />
    );
  } else if (step === 2) {
    body = (
      <ParamsStep
        spec={s.spec}
        problems={s.problems}
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
        writtenYaml={d.upToDate ? d.upToDate.yaml : null}
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
        busy={d.busy}
        status={d.status}
        onWrite={d.onWrite}
        onDeploy={d.onDeploy}
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
        {d.failed && step === STEPS.length - 1 && (
          <ServiceFailure service={d.failed} trans={trans} />
        )}
      </div>
      <div className="mo-DeployWizard-footer">
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          data-testid="mo-deploy-back"
          disabled={step === 0 || !!d.busy}
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
          disabled={!!d.busy}
          title={trans.__('Read the saved notebook again')}
          onClick={s.reload}
        >
          {trans.__('Rescan')}
        </button>
      </div>
    </div>
  );
}
