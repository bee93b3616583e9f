/**
 * One live uPlot chart for one numeric metric.
 *
 * Appends only touch the typed arrays in `MetricSeries`; the owner calls
 * `redraw()` at most once per animation frame, which downsamples to the
 * chart's pixel width and calls `setData`. Zooming (drag to select) keeps
 * full detail in the zoomed range; a double click zooms back out.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import uPlot from 'uplot';

import { XAxisKey } from '../tokens';
import { formatDuration } from '../jobs/format';
import { MetricSeries, buildPlotData } from './series';
import { legendValue } from './xaxis';

const HEIGHT = 200;

/**
 * A widget that holds a uPlot chart in `_plotNode` and keeps it as wide as
 * its box (a ResizeObserver while attached); the chart is destroyed with the
 * widget. Subclasses draw in `redraw()`; `_sized()` says the width changed.
 */
export abstract class PlotWidget extends Widget {
  abstract redraw(): void;

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._observer = new ResizeObserver(() => this._resize());
    this._observer.observe(this.node);
  }

  protected onBeforeDetach(msg: Message): void {
    this._observer?.disconnect();
    this._observer = null;
    super.onBeforeDetach(msg);
  }

  dispose(): void {
    this._observer?.disconnect();
    this._plot?.destroy();
    this._plot = null;
    super.dispose();
  }

  /** Fit the chart to its box's content width (padding left out), then redraw. */
  protected _resize(): void {
    if (this._plot && this.isVisible) {
      const width = chartWidth(this._plotNode.clientWidth);
      if (width !== this._plot.width) {
        this._plot.setSize({ width, height: this._height });
        this._sized();
        this.redraw();
      }
    }
  }

  /** Called when the width changed, before the redraw. */
  protected _sized(): void {
    // nothing by default
  }

  protected abstract readonly _height: number;
  protected _plot: uPlot | null = null;
  protected _plotNode!: HTMLElement;
  private _observer: ResizeObserver | null = null;
}

/** What a metric's source is called in its chart's header. */
export function sourceLabel(source: string, trans: TranslationBundle): string {
  switch (source) {
    case 'mo':
      return trans.__('JSON line');
    case 'keras':
      return 'Keras';
    case 'huggingface':
      return 'Hugging Face';
    case 'lightning':
      return 'Lightning';
    case 'tensorboard':
      return 'TensorBoard';
    default:
      return source;
  }
}

export class MetricChart extends PlotWidget {
  constructor(
    readonly series: MetricSeries,
    private _trans: TranslationBundle,
    xKey: XAxisKey
  ) {
    super();
    this._xKey = xKey;
    this.addClass('mo-MetricChart');
    this.node.dataset.metric = series.name;
    this.node.dataset.points = '0';
    this.node.dataset.renderedPoints = '0';

    const header = document.createElement('div');
    header.className = 'mo-MetricChart-header';
    const title = document.createElement('span');
    title.className = 'mo-MetricChart-title';
    title.textContent = series.name;
    this._last = document.createElement('span');
    this._last.className = 'mo-MetricChart-last';
    header.appendChild(title);
    const source = document.createElement('span');
    source.className = 'mo-MetricChart-source';
    source.textContent = sourceLabel(series.source, _trans);
    source.title = _trans.__('Where this metric comes from');
    this.node.dataset.source = series.source;
    header.appendChild(source);
    header.appendChild(this._last);
    this.node.appendChild(header);

    this._plotNode = document.createElement('div');
    this._plotNode.className = 'mo-MetricChart-plot';
    this.node.appendChild(this._plotNode);

    this._emptyNode = document.createElement('div');
    this._emptyNode.className = 'mo-MetricChart-empty';
    this.node.appendChild(this._emptyNode);
  }

  get xKey(): XAxisKey {
    return this._xKey;
  }

  set xKey(key: XAxisKey) {
    if (key !== this._xKey) {
      this._xKey = key;
      this._zoom = null;
      this._rebuild();
    }
  }

  /** Whether new data arrived since the last redraw. */
  get dirty(): boolean {
    return this._drawn !== this.series.version || this._needsRebuild;
  }

  /** Recreate the plot, e.g. after a theme change (colours are read once). */
  refreshTheme(): void {
    this._rebuild();
  }

  /** Push the current data into the chart; cheap when nothing changed. */
  redraw(): void {
    if (!this.isVisible) {
      return;
    }
    const width = this._width();
    if (this._needsRebuild || !this._plot) {
      this._create(width);
    }
    const plot = this._plot!;
    const data = buildPlotData(
      this.series,
      this._xKey,
      Math.max(50, width),
      this._zoom
    );
    this._xRange = [data.xMin, data.xMax];
    this.node.dataset.points = String(data.count);
    this.node.dataset.renderedPoints = String(data.x.length);
    const n = this.series.length;
    const lastY = n ? this.series.y()[n - 1] : NaN;
    this._last.textContent = n
      ? lastY === lastY
        ? formatValue(lastY)
        : this._trans.__('non-finite')
      : '';
    this._emptyNode.textContent =
      data.count === 0 && n > 0
        ? this._trans.__('No points have "%1" for the x axis.', this._xKey)
        : '';
    this._internal = true;
    plot.setData([data.x, data.y] as uPlot.AlignedData, this._zoom === null);
    this._internal = false;
    this._drawn = this.series.version;
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._resize();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._resize();
    this.redraw();
  }

  /** The chart's content width (its padding left out), so it never overflows. */
  private _width(): number {
    return chartWidth(this._plotNode.clientWidth);
  }

  protected _sized(): void {
    this._drawn = -1;
  }

  private _rebuild(): void {
    this._needsRebuild = true;
    this.redraw();
  }

  private _create(width: number): void {
    this._plot?.destroy();
    this._plotNode.textContent = '';
    const theme = chartTheme(this.node);
    const xKey = this._xKey;
    const xLabel = xAxisLabel(this._trans, xKey);
    const opts: uPlot.Options = {
      width,
      height: HEIGHT,
      scales: { x: { time: false } },
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      axes: chartAxes(theme, xKey),
      series: [
        xSeries(xLabel, xKey),
        {
          label: this.series.name,
          stroke: theme.line,
          width: 1.5,
          spanGaps: false,
          points: { show: false },
          value: (u, val) => legendValue(val, u.data[1], formatValue)
        }
      ],
      hooks: {
        setScale: [(u, key) => this._onScale(u, key)]
      }
    };
    this._plot = new uPlot(opts, [[], []], this._plotNode);
    this._needsRebuild = false;
  }

  private _onScale(u: uPlot, key: string): void {
    if (key !== 'x' || this._internal) {
      return;
    }
    const zoom = zoomOf(u, this._xRange);
    const before = JSON.stringify(this._zoom);
    this._zoom = zoom;
    if (JSON.stringify(zoom) !== before) {
      // re-sample for the new range after uPlot finishes this update
      requestAnimationFrame(() => {
        this._drawn = -1;
        this.redraw();
      });
    }
  }

  private _xKey: XAxisKey;
  protected readonly _height = HEIGHT;
  private _emptyNode: HTMLElement;
  private _last: HTMLElement;
  private _drawn = -1;
  private _needsRebuild = false;
  private _internal = false;
  private _zoom: [number, number] | null = null;
  private _xRange: [number, number] = [NaN, NaN];
}

/** Colours and font of a chart, read from the theme's CSS variables at `node`. */
export interface IChartTheme {
  fg: string;
  grid: string;
  line: string;
  font: string;
}

export function chartTheme(node: HTMLElement): IChartTheme {
  const css = getComputedStyle(node);
  const v = (name: string, fallback: string) =>
    css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--jp-ui-font-color2', '#616161'),
    grid: v('--jp-border-color2', '#e0e0e0'),
    line: v('--jp-brand-color1', '#1976d2'),
    font: `11px ${v('--jp-ui-font-family', 'sans-serif')}`
  };
}

/** The x axis's name in the legend. */
export function xAxisLabel(trans: TranslationBundle, xKey: XAxisKey): string {
  return xKey === 'time'
    ? trans.__('time since start')
    : xKey === 'step'
      ? trans.__('step')
      : trans.__('epoch');
}

/** The x and y axes: theme colours, durations on a time axis. */
export function chartAxes(theme: IChartTheme, xKey: XAxisKey): uPlot.Axis[] {
  const axis = (): uPlot.Axis => ({
    stroke: theme.fg,
    font: theme.font,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 }
  });
  return [
    {
      ...axis(),
      values:
        xKey === 'time'
          ? (_u, ticks) => ticks.map(t => formatDuration(t))
          : undefined
    },
    { ...axis(), size: 60, values: (_u, ticks) => ticks.map(formatValue) }
  ];
}

/** The x series: its legend shows the hovered (or last) x. */
export function xSeries(label: string, xKey: XAxisKey): uPlot.Series {
  return {
    label,
    value: (u, val) =>
      legendValue(val, u.data[0], v =>
        xKey === 'time' ? formatDuration(v) : String(v)
      )
  };
}

/** The plot width for a host this wide (0 while not laid out: a guess). */
export function chartWidth(hostWidth: number): number {
  return Math.max(200, Math.floor(hostWidth || 400));
}

/** Compact number formatting for axes and readouts. */
export function formatValue(v: number): string {
  if (!isFinite(v)) {
    return String(v);
  }
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) {
    return v.toExponential(2);
  }
  return String(Number(v.toPrecision(4)));
}

/** The x range a user zoomed `u` to, or null when it shows all of `full`. */
export function zoomOf(
  u: uPlot,
  [lo, hi]: [number, number]
): [number, number] | null {
  const { min, max } = u.scales.x;
  return typeof min === 'number' &&
    typeof max === 'number' &&
    (min > lo + 1e-12 || max < hi - 1e-12)
    ? [min, max]
    : null;
}
