/**
 * The Compare tab: the selected jobs' metrics, one chart per metric with
 * every job's series overlaid (the Metrics tab's x axis choices), then the
 * table of their parameters against each metric's last and best value.
 * The data: GET mo/api/jobs/<id> and GET mo/api/jobs/<id>/metrics.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';

import { IJob, IMetric, errorMessage, getJob, getMetrics } from '../api';
import { xAxisLabel } from '../metrics/chart';
import { isPlotted, xAxisSelect } from '../metrics/panel';
import { MetricSeries } from '../metrics/series';
import { IXAxisCounts, XAxisSetting, effectiveXAxis } from '../metrics/xaxis';
import { XAxisKey } from '../tokens';
import { CompareChart, IJobSeries } from './chart';
import { composeCharts, downloadCanvas, downloadText } from './download';
import { compareTable, toCSV } from './table';
import { CompareTableView } from './tableview';

export class ComparePanel extends Panel {
  constructor(
    readonly ids: string[],
    private _trans: TranslationBundle,
    setting: XAxisSetting | string,
    onOpen: (id: string) => void
  ) {
    super();
    this._setting = setting;
    this._xKey = effectiveXAxis(setting, this._counts);
    this.addClass('mo-ComparePanel');
    this.node.dataset.jobs = ids.join(' ');

    const bar = new Widget();
    bar.addClass('mo-ComparePanel-toolbar');
    const { label, select } = xAxisSelect(
      _trans,
      'mo-ComparePanel-xaxis',
      this._xKey,
      value => {
        this._setting = value;
        this.xKey = value;
      }
    );
    bar.node.appendChild(label);
    this._status = document.createElement('span');
    this._status.className = 'mo-ComparePanel-status';
    this._status.setAttribute('role', 'status');
    bar.node.appendChild(this._status);
    this._select = select;
    this.addWidget(bar);

    this._errors = new Widget();
    this._errors.addClass('mo-ComparePanel-errors');
    this.addWidget(this._errors);

    this._charts = new Panel();
    this._charts.addClass('mo-ComparePanel-charts');
    this.addWidget(this._charts);

    this._table = new CompareTableView(_trans, onOpen);
    this.addWidget(this._table);
  }

  get xKey(): XAxisKey {
    return this._xKey;
  }

  set xKey(key: XAxisKey) {
    if (key !== this._xKey) {
      this._xKey = key;
      this._select.value = key;
      for (const chart of this.charts) {
        chart.xKey = key;
      }
    }
  }

  get charts(): CompareChart[] {
    return this._charts.widgets as CompareChart[];
  }

  get tableView(): CompareTableView {
    return this._table;
  }

  /** The jobs that loaded, in the order given. */
  get jobs(): IJob[] {
    return this._jobs;
  }

  /** Resolves once the jobs and their metrics are in and drawn. */
  get ready(): Promise<void> {
    return this._ready;
  }

  /** (Re)load every job and its metrics, then rebuild charts and table. */
  load(): Promise<void> {
    this._ready = this._load();
    return this._ready;
  }

  /** Recreate the charts with the theme's colours (and draw them). */
  refreshTheme(): void {
    for (const chart of this.charts) {
      chart.refreshTheme();
    }
  }

  exportCSV(): void {
    const table = this._table.table;
    if (table) {
      downloadText(
        toCSV(table, this._table.rows),
        this._filename('csv'),
        'text/csv'
      );
    }
  }

  async exportPNG(): Promise<void> {
    const images = this.charts
      .filter(c => c.canvas)
      .map(c => ({
        title: `${c.metric} (x: ${xAxisLabel(this._trans, this._xKey)})`,
        canvas: c.canvas!
      }));
    if (!images.length) {
      throw new Error(this._trans.__('No charts to export.'));
    }
    const legend = this._jobs.map((j, index) => ({
      label: this._labels[index],
      index
    }));
    await downloadCanvas(
      composeCharts(images, legend, this.node),
      this._filename('png')
    );
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    for (const chart of this.charts) {
      chart.redraw();
    }
  }

  private _filename(ext: string): string {
    return `compare-${this._jobs.length}-jobs.${ext}`;
  }

  private async _load(): Promise<void> {
    this._status.textContent = this._trans.__(
      'Loading %1 jobs…',
      this.ids.length
    );
    const results = await Promise.all(
      this.ids.map(async id => {
        try {
          const [job, metrics] = await Promise.all([
            getJob(id),
            getMetrics(id)
          ]);
          return { job, metrics, error: '' };
        } catch (err) {
          return {
            job: null,
            metrics: [] as IMetric[],
            id,
            error: errorMessage(err)
          };
        }
      })
    );
    if (this.isDisposed) {
      return;
    }
    this._errors.node.textContent = '';
    const jobs: IJob[] = [];
    const metrics: { [id: string]: IMetric[] } = {};
    results.forEach((r, i) => {
      if (r.job) {
        jobs.push(r.job);
        metrics[r.job.id] = r.metrics;
      } else {
        const line = document.createElement('div');
        line.className = 'mo-Message mo-mod-error';
        line.setAttribute('role', 'alert');
        line.textContent = this._trans.__(
          'Cannot load job %1: %2',
          this.ids[i],
          r.error
        );
        this._errors.node.appendChild(line);
      }
    });
    this._jobs = jobs;
    this._labels = jobLabels(jobs);
    this._build(jobs, metrics);
    this._table.table = compareTable(jobs, metrics);
    this._status.textContent = this._trans.__('%1 jobs', jobs.length);
  }

  private _build(jobs: IJob[], metrics: { [id: string]: IMetric[] }): void {
    for (const chart of this.charts.slice()) {
      chart.dispose();
    }
    this._counts = { points: 0, withStep: 0, withEpoch: 0 };
    const byMetric = new Map<string, (MetricSeries | null)[]>();
    jobs.forEach((job, j) => {
      for (const m of metrics[job.id]) {
        if (!isPlotted(m)) {
          continue;
        }
        let list = byMetric.get(m.metric);
        if (!list) {
          list = jobs.map(() => null);
          byMetric.set(m.metric, list);
        }
        let series = list[j];
        if (!series) {
          series = list[j] = new MetricSeries(m.metric);
        }
        series.push(m);
        this._counts.points++;
        this._counts.withStep += typeof m.step === 'number' ? 1 : 0;
        this._counts.withEpoch += typeof m.epoch === 'number' ? 1 : 0;
      }
    });
    this._xKey = effectiveXAxis(this._setting, this._counts);
    this._select.value = this._xKey;
    for (const [name, list] of byMetric) {
      const lines: IJobSeries[] = list.map((series, index) => ({
        label: this._labels[index],
        index,
        series
      }));
      this._charts.addWidget(
        new CompareChart(name, lines, this._trans, this._xKey)
      );
    }
    if (!byMetric.size) {
      const empty = document.createElement('div');
      empty.className = 'mo-ComparePanel-empty';
      empty.textContent = this._trans.__('These jobs have no charted metrics.');
      this._errors.node.appendChild(empty);
    }
    if (this.isVisible) {
      for (const chart of this.charts) {
        chart.redraw();
      }
    }
  }

  private _setting: string;
  private _xKey: XAxisKey;
  private _counts: IXAxisCounts = { points: 0, withStep: 0, withEpoch: 0 };
  private _select: HTMLSelectElement;
  private _status: HTMLElement;
  private _errors: Widget;
  private _charts: Panel;
  private _table: CompareTableView;
  private _jobs: IJob[] = [];
  private _labels: string[] = [];
  private _ready: Promise<void> = Promise.resolve();
}

/** Legend labels: the job's name, with its id when names repeat. */
export function jobLabels(jobs: ReadonlyArray<IJob>): string[] {
  const count = new Map<string, number>();
  for (const j of jobs) {
    count.set(j.name, (count.get(j.name) ?? 0) + 1);
  }
  return jobs.map(j =>
    !j.name ? j.id : count.get(j.name)! > 1 ? `${j.name} (${j.id})` : j.name
  );
}
