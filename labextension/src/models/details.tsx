/**
 * A model version's details tab: what it is (framework, size, source), its
 * lineage with links (the job, the training task, the module and the
 * datasets), the task's conf, the job's final metrics, the files; Download,
 * Delete and (where the deploy part registers it) Deploy; and under it the
 * job's metric charts (the series kept with the model), drawn by the
 * Metrics tab's own panel. A job deleted since shows as "deleted" with the
 * facts recorded when the model was made.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';

import { IMetric, MoApiError, errorMessage, getJob, getMetrics } from '../api';
import { Badge, CatalogError } from '../catalog/search';
import { formatBytes } from '../catalog/util';
import { modelsIcon } from '../icons';
import { formatTime } from '../jobs/format';
import { MetricsPanel } from '../metrics/panel';
import { IModelRecord, getModel, getModelMetrics } from './api';
import {
  chartPoints,
  confRows,
  copiedFrom,
  frameworkLabel,
  metricRows,
  modelKey,
  modelTabId,
  shortSha
} from './format';
import { toolbar } from './toolbar';
import { FactTable, JobPresence, Lineage } from './lineage';

export interface IModelDetailsOptions {
  name: string;
  version: number;
  trans: TranslationBundle;
  commands: CommandRegistry;
}

/** The tab's content: the record (React) above the job's metric charts. */
export class ModelDetails extends Panel {
  constructor(readonly options: IModelDetailsOptions) {
    super();
    this.addClass('mo-ModelDetails');
    this.node.dataset.model = options.name;
    this.node.dataset.version = String(options.version);
    this._info = new ModelInfo(options);
    this.addWidget(this._info);
    void this.load();
  }

  /** "name:3", the restore name. */
  get key(): string {
    return modelKey(this.options.name, this.options.version);
  }

  get record(): IModelRecord | null {
    return this._info.record;
  }

  /**
   * Load the record, then whether its job still exists (the server says so
   * in `lineage.job.deleted`; asked of the job otherwise), then the charts.
   */
  async load(): Promise<void> {
    const { name, version } = this.options;
    const info = this._info;
    try {
      info.record = await getModel(name, version);
      info.error = '';
    } catch (err) {
      info.error = errorMessage(err);
      info.update();
      return;
    }
    const job = info.record.lineage?.job;
    info.job = !job
      ? 'none'
      : job.deleted === undefined
        ? 'checking'
        : job.deleted
          ? 'deleted'
          : 'present';
    info.update();
    if (job && info.job === 'checking') {
      try {
        await getJob(job.id);
        info.job = 'present';
      } catch (err) {
        info.job =
          err instanceof MoApiError && err.status === 404 ? 'deleted' : 'none';
      }
      info.update();
    }
    await this._loadCharts(info.job === 'present' ? job!.id : null);
  }
  /** Read the record again (its services after a deploy); the charts stay. */
  async reload(): Promise<void> {
    try {
      this._info.record = await getModel(
        this.options.name,
        this.options.version
      );
      this._info.error = '';
    } catch (err) {
      this._info.error = errorMessage(err);
    }
    this._info.update();
  }

  /** Recreate the charts with the current theme's colours. */
  refreshTheme(): void {
    this._charts?.refreshTheme();
  }

  /**
   * The series kept with the model (they outlive the job); from the job
   * itself when the server keeps none and the job is there.
   */
  private async _loadCharts(jobId: string | null): Promise<void> {
    const { name, version } = this.options;
    let metrics: IMetric[] = [];
    try {
      metrics = await getModelMetrics(name, version);
    } catch {
      // an older server: no series kept with models
    }
    if (metrics.length === 0 && jobId) {
      try {
        metrics = await getMetrics(jobId);
      } catch {
        // the final metrics table still has the recorded values
      }
    }
    metrics = chartPoints(metrics);
    if (this.isDisposed || metrics.length === 0) {
      return;
    }
    const { trans } = this.options;
    const heading = new Widget();
    heading.addClass('mo-ModelDetails-chartsHeading');
    const h2 = document.createElement('h2');
    h2.textContent = trans.__('Metric charts of the job');
    heading.node.appendChild(h2);
    this.addWidget(heading);
    const charts = new MetricsPanel(trans, 'auto');
    charts.addClass('mo-ModelDetails-charts');
    for (const m of metrics) {
      charts.add(m);
    }
    this._charts?.dispose();
    this._charts = charts;
    this.addWidget(charts);
  }

  private _info: ModelInfo;
  private _charts: MetricsPanel | null = null;
}

/** The closable main-area tab of a model version. */
export function createModelWidget(
  options: IModelDetailsOptions
): MainAreaWidget<ModelDetails> {
  const content = new ModelDetails(options);
  const widget = new MainAreaWidget({ content });
  widget.id = modelTabId(options.name, options.version);
  widget.title.label = `${options.name} v${options.version}`;
  widget.title.caption = options.trans.__(
    'Model %1 version %2',
    options.name,
    options.version
  );
  widget.title.icon = modelsIcon;
  widget.title.closable = true;
  return widget;
}

class ModelInfo extends ReactWidget {
  constructor(private _options: IModelDetailsOptions) {
    super();
    this.addClass('mo-ModelInfo');
    // Deploy and the task link show once their commands exist (plugins load in any order)
    _options.commands.commandChanged.connect(this._onCommand, this);
  }

  dispose(): void {
    this._options.commands.commandChanged.disconnect(this._onCommand, this);
    super.dispose();
  }

  private _onCommand(_: unknown, change: CommandRegistry.ICommandChangedArgs) {
    if ((change.type === 'added' || change.type === 'removed') && this.record) {
      this.update();
    }
  }

  record: IModelRecord | null = null;
  error = '';
  job: JobPresence = 'checking';

  render(): JSX.Element {
    const { trans } = this._options;
    if (!this.record) {
      return (
        <div className="mo-ModelDetails-content" data-state="loading">
          {this.error ? (
            <CatalogError>
              {trans.__(
                'Cannot load model %1 version %2: %3',
                this._options.name,
                this._options.version,
                this.error
              )}
            </CatalogError>
          ) : (
            <div className="mo-Catalog-loading">{trans.__('Loading…')}</div>
          )}
        </div>
      );
    }
    return (
      <ModelView
        {...this._options}
        record={this.record}
        job={this.job}
        error={this.error}
      />
    );
  }
}

function ModelView(
  props: IModelDetailsOptions & {
    record: IModelRecord;
    job: JobPresence;
    error: string;
  }
): JSX.Element {
  const { record: r, trans, commands } = props;
  const lineage = r.lineage ?? ({} as IModelRecord['lineage']);
  const metrics = metricRows(lineage.metrics);
  const conf = confRows(lineage.conf);
  const act = (command: string) => () =>
    void commands.execute(command, { name: r.name, version: r.version });
  const from = copiedFrom(r.files);
  const facts: [string, React.ReactNode][] = [
    [trans.__('Version'), String(r.version)],
    [trans.__('Framework'), frameworkLabel(trans, String(r.framework))],
    [
      trans.__('Size'),
      r.files.length === 1
        ? trans.__('%1 in 1 file', formatBytes(r.size))
        : trans.__('%1 in %2 files', formatBytes(r.size), r.files.length)
    ],
    [trans.__('Created'), formatTime(r.created)],
    [
      trans.__('Source'),
      r.source === 'manual'
        ? trans.__('registered by hand')
        : trans.__('written by a job')
    ]
  ];
  if (from) {
    facts.push([trans.__('Copied from'), from]);
  }
  if (r.services && r.services.length) {
    facts.push([trans.__('Served by'), r.services.join(', ')]);
  }
  return (
    <div
      className="mo-ModelDetails-content"
      data-state="ready"
      data-source={r.source}
      data-job={props.job}
    >
      <div className="mo-Details-header">
        <div className="mo-Details-titleLine">
          <h1 className="mo-Details-title">{r.name}</h1>
          <span className="mo-Details-id">v{r.version}</span>
          <Badge
            kind="framework"
            value={String(r.framework)}
            label={frameworkLabel(trans, String(r.framework))}
          />
        </div>
        {r.description && (
          <p className="mo-Details-description">{r.description}</p>
        )}
        <div className="mo-Details-toolbar">
          {toolbar(trans, !!lineage.module).map(b => (
            <button
              key={b.id}
              className={`jp-Button jp-mod-styled ${b.style} mo-ModelDetails-${b.id}`}
              data-testid={`mo-model-${b.id}`}
              title={b.title}
              disabled={b.needsEnabled && !commands.isEnabled(b.command)}
              onClick={act(b.command)}
            >
              {b.label}
            </button>
          ))}
        </div>
        {props.error && <CatalogError>{props.error}</CatalogError>}
      </div>

      <section className="mo-Details-section">
        <h2>{trans.__('Details')}</h2>
        <FactTable rows={facts} className="mo-ModelMeta" />
      </section>

      <section className="mo-Details-section mo-ModelLineage">
        <h2>{trans.__('Lineage')}</h2>
        <Lineage {...props} />
      </section>

      {conf.length > 0 && (
        <section className="mo-Details-section mo-ModelConf">
          <h2>{trans.__('Training configuration')}</h2>
          <FactTable rows={conf} className="mo-ModelConf-table" code />
        </section>
      )}

      <section className="mo-Details-section mo-ModelMetrics">
        <h2>{trans.__('Final metrics')}</h2>
        {metrics.length === 0 ? (
          <div className="mo-Catalog-empty">
            {trans.__('No metrics were recorded for this model.')}
          </div>
        ) : (
          <table className="mo-Table mo-ModelMetrics-table">
            <thead>
              <tr>
                <th>{trans.__('Metric')}</th>
                <th>{trans.__('Last')}</th>
                <th>{trans.__('Best')}</th>
                <th>{trans.__('Points')}</th>
              </tr>
            </thead>
            <tbody>
              {metrics.map(m => (
                <tr key={m.name} data-metric={m.name}>
                  <td className="mo-ModelMetrics-name">{m.name}</td>
                  <td className="mo-ModelMetrics-last">{m.last}</td>
                  <td className="mo-ModelMetrics-best">{m.best}</td>
                  <td className="mo-ModelMetrics-steps">{m.steps}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="mo-Details-section mo-ModelFiles">
        <h2>{trans.__('Files')}</h2>
        <table className="mo-Table mo-ModelFiles-table">
          <thead>
            <tr>
              <th>{trans.__('Name')}</th>
              <th>{trans.__('Size')}</th>
              <th>sha256</th>
            </tr>
          </thead>
          <tbody>
            {r.files.map(f => (
              <tr key={f.path} data-path={f.path}>
                <td className="mo-ModelFiles-path">{f.path}</td>
                <td className="mo-ModelFiles-size">{formatBytes(f.size)}</td>
                <td className="mo-ModelFiles-sha" title={f.sha256}>
                  {shortSha(f.sha256)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
