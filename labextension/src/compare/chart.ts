/**
 * One metric of several jobs in one uPlot chart: each job's `MetricSeries`
 * downsampled to the chart's width by the Metrics tab's `buildPlotData`,
 * merged on one x array (`alignSeries`), one coloured line per job and a
 * legend naming the jobs. Drag to zoom (full detail in the range), double
 * click to zoom out, as in the Metrics tab.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import uPlot from 'uplot';

import {
  PlotWidget,
  chartAxes,
  chartTheme,
  chartWidth,
  formatValue,
  xAxisLabel,
  xSeries,
  zoomOf
} from '../metrics/chart';
import { MetricSeries, buildPlotData } from '../metrics/series';
import { legendValue } from '../metrics/xaxis';
import { XAxisKey } from '../tokens';
import { alignSeries, seriesStyle } from './align';

const HEIGHT = 240;

/** One job's points of the metric (`series` null: the job has none). */
export interface IJobSeries {
  label: string;
  /** The job's index in the comparison: its colour. */
  index: number;
  series: MetricSeries | null;
}

export class CompareChart extends PlotWidget {
  constructor(
    readonly metric: string,
    readonly jobs: IJobSeries[],
    private _trans: TranslationBundle,
    xKey: XAxisKey
  ) {
    super();
    this._xKey = xKey;
    this.addClass('mo-CompareChart');
    this.node.dataset.metric = metric;
    const title = document.createElement('div');
    title.className = 'mo-CompareChart-title';
    title.textContent = metric;
    this.node.appendChild(title);
    this._plotNode = document.createElement('div');
    this._plotNode.className = 'mo-CompareChart-plot';
    this.node.appendChild(this._plotNode);
  }

  get xKey(): XAxisKey {
    return this._xKey;
  }

  set xKey(key: XAxisKey) {
    if (key !== this._xKey) {
      this._xKey = key;
      this._zoom = null;
      this.refreshTheme();
    }
  }

  /** The drawn canvas (for Export PNG), or null before the first draw. */
  get canvas(): HTMLCanvasElement | null {
    return this._plot?.ctx.canvas ?? null;
  }

  /** Recreate the plot (theme colours are read once) and draw. */
  refreshTheme(): void {
    this._plot?.destroy();
    this._plot = null;
    this.redraw();
  }

  /** Downsample every job's series to the width and draw them. */
  redraw(): void {
    if (!this.isVisible) {
      return;
    }
    const width = chartWidth(this._plotNode.clientWidth);
    if (!this._plot) {
      this._create(width);
    }
    let count = 0;
    let lo = Infinity;
    let hi = -Infinity;
    const parts = this.jobs.map(j => {
      if (!j.series) {
        return { x: [], y: [] };
      }
      const d = buildPlotData(j.series, this._xKey, width, this._zoom);
      count += d.count;
      if (d.count) {
        lo = Math.min(lo, d.xMin);
        hi = Math.max(hi, d.xMax);
      }
      return d;
    });
    const data = alignSeries(parts);
    this._xRange = [lo, hi];
    this.node.dataset.points = String(count);
    this.node.dataset.renderedPoints = String(data[0].length);
    this.node.dataset.series = String(parts.filter(p => p.x.length).length);
    this._internal = true;
    this._plot!.setData(data as uPlot.AlignedData, this._zoom === null);
    this._internal = false;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.redraw();
  }

  private _create(width: number): void {
    this._plotNode.textContent = '';
    const theme = chartTheme(this.node);
    const series: uPlot.Series[] = [
      xSeries(xAxisLabel(this._trans, this._xKey), this._xKey)
    ];
    this.jobs.forEach((j, i) => {
      series.push({
        label: j.label,
        ...seriesStyle(j.index),
        width: 1.5,
        spanGaps: false,
        points: { show: false },
        value: (u, val) => legendValue(val, u.data[i + 1], formatValue)
      });
    });
    const opts: uPlot.Options = {
      width,
      height: HEIGHT,
      scales: { x: { time: false } },
      legend: {
        show: true,
        live: true,
        // filled swatches in the jobs' colours (uPlot's default is an outline)
        markers: {
          fill: (_u, i) =>
            i > 0 ? seriesStyle(this.jobs[i - 1].index).stroke : ''
        }
      },
      cursor: { drag: { x: true, y: false } },
      axes: chartAxes(theme, this._xKey),
      series,
      hooks: { setScale: [(u, key) => this._onScale(u, key)] }
    };
    const empty = [[], ...this.jobs.map(() => [])] as uPlot.AlignedData;
    this._plot = new uPlot(opts, empty, this._plotNode);
  }

  private _onScale(u: uPlot, key: string): void {
    if (key !== 'x' || this._internal) {
      return;
    }
    const zoom = zoomOf(u, this._xRange);
    const before = JSON.stringify(this._zoom);
    this._zoom = zoom;
    if (JSON.stringify(zoom) !== before) {
      requestAnimationFrame(() => this.redraw());
    }
  }

  private _xKey: XAxisKey;
  protected readonly _height = HEIGHT;
  private _zoom: [number, number] | null = null;
  private _internal = false;
  private _xRange: [number, number] = [NaN, NaN];
}
