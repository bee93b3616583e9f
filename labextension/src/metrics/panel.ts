/**
 * The Metrics tab: an x-axis selector, one chart per numeric metric (in the
 * order metrics first appear) and a table of the non-numeric ones.
 *
 * Rule (from the server contract): a number is plotted; a `nonfinite`
 * marker is a gap in its chart; any other value (string, bool, list,
 * object) goes to the table.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';

import { IMetric, ISeriesColumns } from '../api';
import { seriesPoints } from './columns';
import { XAxisKey } from '../tokens';
import { MetricChart } from './chart';
import { MetricSeries } from './series';
import { IXAxisCounts, XAxisSetting, effectiveXAxis } from './xaxis';

/** The table shows at most this many recent non-numeric values. */
const TABLE_LIMIT = 1000;

export function isPlotted(m: IMetric): boolean {
  return typeof m.value === 'number' || m.nonfinite !== undefined;
}

export class MetricsPanel extends Panel {
  constructor(
    private _trans: TranslationBundle,
    setting: XAxisSetting | string
  ) {
    super();
    // `auto` (the default setting) follows the data until the user picks
    this._setting = setting;
    const xKey = effectiveXAxis(setting, this._counts);
    this._xKey = xKey;
    this.addClass('mo-MetricsPanel');

    const toolbar = new Widget();
    toolbar.addClass('mo-MetricsPanel-toolbar');
    const { label, select } = xAxisSelect(
      _trans,
      'mo-MetricsPanel-xaxis',
      xKey,
      value => {
        this._setting = value;
        this.xKey = value;
      }
    );
    toolbar.node.appendChild(label);
    this._select = select;
    this.addWidget(toolbar);

    this._empty = new Widget();
    this._empty.addClass('mo-MetricsPanel-empty');
    this._empty.node.textContent = _trans.__(
      'No metrics yet. Print lines like {"metric": "loss", "value": 0.5, "step": 1} from the job to see charts here.'
    );
    this.addWidget(this._empty);

    this._charts = new Panel();
    this._charts.addClass('mo-MetricsPanel-charts');
    this.addWidget(this._charts);

    this._table = new Widget();
    this._table.addClass('mo-MetricsPanel-table');
    this._table.hide();
    this.addWidget(this._table);
  }

  get xKey(): XAxisKey {
    return this._xKey;
  }

  set xKey(key: XAxisKey) {
    if (key === this._xKey) {
      return;
    }
    this._xKey = key;
    this._select.value = key;
    for (const chart of this._chartList()) {
      chart.xKey = key;
    }
  }

  /** Names of the plotted metrics, in first-seen order. */
  get metricNames(): string[] {
    return Array.from(this._series.keys());
  }

  /**
   * A job's metrics as columns (`GET .../metrics?format=columns`): each
   * numeric series straight into its storage, drawn once.
   */
  addColumns(columns: ISeriesColumns[]): void {
    for (const c of columns) {
      if (c.other && Object.keys(c.other).length) {
        this.addMany(seriesPoints([c])); // values that are not numbers: listed, one by one
        continue;
      }
      const series = this._seriesFor(c.metric, c.source);
      series.pushColumns(c.time, c.value, c.step, c.epoch);
      this._counts.points += c.value.length;
      this._counts.withStep += countNumbers(c.step);
      this._counts.withEpoch += countNumbers(c.epoch);
    }
    if (columns.length) {
      this._schedule();
    }
  }

  /** Many points at once (a replay): drawn once. */
  addMany(points: IMetric[]): void {
    for (let i = 0; i < points.length; i++) {
      this._add(points[i]);
    }
    if (points.length) {
      this._schedule();
    }
  }

  add(m: IMetric): void {
    this._add(m);
    this._schedule();
  }

  private _add(m: IMetric): void {
    if (isPlotted(m)) {
      const series = this._seriesFor(m.metric, m.source);
      series.push(m);
      this._counts.points++;
      this._counts.withStep += typeof m.step === 'number' ? 1 : 0;
      this._counts.withEpoch += typeof m.epoch === 'number' ? 1 : 0;
    } else {
      this._other.push(m);
      if (this._other.length > TABLE_LIMIT * 2) {
        this._other = this._other.slice(-TABLE_LIMIT);
      }
      this._otherDirty = true;
      this._empty.hide();
    }
  }

  private _seriesFor(name: string, source?: string): MetricSeries {
    let series = this._series.get(name);
    if (!series) {
      series = new MetricSeries(name, source);
      this._series.set(name, series);
      this._charts.addWidget(new MetricChart(series, this._trans, this._xKey));
      this._empty.hide();
    }
    return series;
  }

  /** Recreate charts with the current theme's colours. */
  refreshTheme(): void {
    for (const chart of this._chartList()) {
      chart.refreshTheme();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._schedule();
  }

  dispose(): void {
    if (this._frame) {
      cancelAnimationFrame(this._frame);
    }
    super.dispose();
  }

  private _chartList(): MetricChart[] {
    return this._charts.widgets as MetricChart[];
  }

  private _schedule(): void {
    if (this._frame || this.isDisposed) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      if (!this.isVisible) {
        return; // onAfterShow reschedules
      }
      this.xKey = effectiveXAxis(this._setting, this._counts);
      for (const chart of this._chartList()) {
        if (chart.dirty) {
          chart.redraw();
        }
      }
      if (this._otherDirty) {
        this._otherDirty = false;
        this._renderTable();
      }
    });
  }

  private _renderTable(): void {
    const rows = this._other.slice(-TABLE_LIMIT);
    const node = this._table.node;
    node.textContent = '';
    if (rows.length === 0) {
      this._table.hide();
      return;
    }
    this._table.show();
    const h = document.createElement('h3');
    h.textContent = this._trans.__('Other values');
    node.appendChild(h);
    const table = document.createElement('table');
    table.className = 'mo-Table';
    const head = table.createTHead().insertRow();
    for (const text of [
      this._trans.__('Metric'),
      this._trans.__('Value'),
      this._trans.__('Time'),
      this._trans.__('Step'),
      this._trans.__('Epoch')
    ]) {
      const th = document.createElement('th');
      th.textContent = text;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (let i = rows.length - 1; i >= 0; i--) {
      const m = rows[i];
      const tr = body.insertRow();
      tr.dataset.metric = m.metric;
      const cells = [
        m.metric,
        typeof m.value === 'string' ? m.value : JSON.stringify(m.value),
        typeof m.time === 'number' ? m.time.toFixed(1) : '',
        m.step === undefined ? '' : String(m.step),
        m.epoch === undefined ? '' : String(m.epoch)
      ];
      for (const c of cells) {
        tr.insertCell().textContent = c;
      }
    }
    node.appendChild(table);
  }

  private _xKey: XAxisKey;
  private _setting: string;
  private _counts: IXAxisCounts = { points: 0, withStep: 0, withEpoch: 0 };
  private _select: HTMLSelectElement;
  private _empty: Widget;
  private _charts: Panel;
  private _table: Widget;
  private _series = new Map<string, MetricSeries>();
  private _other: IMetric[] = [];
  private _otherDirty = false;
  private _frame = 0;
}

/**
 * The "X axis" picker of the Metrics and Compare tabs: a label holding a
 * select of time / step / epoch; `onChange` gets the user's pick.
 */
export function xAxisSelect(
  trans: TranslationBundle,
  className: string,
  value: XAxisKey,
  onChange: (value: XAxisKey) => void
): { label: HTMLLabelElement; select: HTMLSelectElement } {
  const label = document.createElement('label');
  label.textContent = trans.__('X axis');
  const select = document.createElement('select');
  select.className = `jp-mod-styled ${className}`;
  const options: [XAxisKey, string][] = [
    ['time', trans.__('Time since start')],
    ['step', trans.__('Step')],
    ['epoch', trans.__('Epoch')]
  ];
  for (const [key, text] of options) {
    const opt = document.createElement('option');
    opt.value = key;
    opt.textContent = text;
    select.appendChild(opt);
  }
  select.value = value;
  select.addEventListener('change', () => onChange(select.value as XAxisKey));
  label.appendChild(select);
  return { label, select };
}

function countNumbers(column?: ArrayLike<number | null>): number {
  let n = 0;
  if (column) {
    for (let i = 0; i < column.length; i++) {
      n += typeof column[i] === 'number' ? 1 : 0;
    }
  }
  return n;
}
