/**
 * Downloads through the browser: the table as CSV, and the charts' uPlot
 * canvases composed into one PNG (a legend naming the jobs on top, then
 * each chart under its metric's name, on the theme's background).
 */
import { chartTheme } from '../metrics/chart';
import { seriesStyle } from './align';

/** Save `blob` as `filename` (an anchor with `download`, as browsers allow). */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the download has started reading the URL by then; free it later
  window.setTimeout(() => URL.revokeObjectURL(url), 60 * 1000);
}

export function downloadText(
  text: string,
  filename: string,
  type: string
): void {
  download(new Blob([text], { type }), filename);
}

export interface IChartImage {
  title: string;
  canvas: HTMLCanvasElement;
}

/**
 * One canvas holding every chart: a legend line per job (its colour and
 * label), then each chart's title and canvas (at the canvases' pixel ratio).
 */
export function composeCharts(
  charts: ReadonlyArray<IChartImage>,
  legend: ReadonlyArray<{ label: string; index: number }>,
  themeNode: HTMLElement
): HTMLCanvasElement {
  const ratio =
    charts.length && charts[0].canvas.clientWidth
      ? charts[0].canvas.width / charts[0].canvas.clientWidth
      : window.devicePixelRatio || 1;
  const css = getComputedStyle(themeNode);
  const bg = css.getPropertyValue('--jp-layout-color1').trim() || '#ffffff';
  const fg = css.getPropertyValue('--jp-ui-font-color1').trim() || '#000000';
  const theme = chartTheme(themeNode);
  const pad = Math.round(12 * ratio);
  const line = Math.round(18 * ratio);
  const titleH = Math.round(22 * ratio);
  const width = Math.max(
    Math.round(400 * ratio),
    ...charts.map(c => c.canvas.width + 2 * pad)
  );
  const height =
    pad +
    legend.length * line +
    charts.reduce((h, c) => h + titleH + c.canvas.height + pad, pad);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'middle';
  const font = theme.font.replace(/^\d+px/, `${Math.round(12 * ratio)}px`);
  let y = pad;
  for (const item of legend) {
    const style = seriesStyle(item.index);
    ctx.strokeStyle = style.stroke;
    ctx.lineWidth = 2 * ratio;
    ctx.setLineDash((style.dash ?? []).map(d => d * ratio));
    ctx.beginPath();
    ctx.moveTo(pad, y + line / 2);
    ctx.lineTo(pad + 24 * ratio, y + line / 2);
    ctx.stroke();
    ctx.fillStyle = fg;
    ctx.font = font;
    ctx.fillText(item.label, pad + 32 * ratio, y + line / 2);
    y += line;
  }
  ctx.setLineDash([]);
  y += pad;
  for (const c of charts) {
    ctx.fillStyle = fg;
    ctx.font = `bold ${font}`;
    ctx.fillText(c.title, pad, y + titleH / 2);
    y += titleH;
    ctx.drawImage(c.canvas, pad, y);
    y += c.canvas.height + pad;
  }
  return out;
}

export function downloadCanvas(
  canvas: HTMLCanvasElement,
  filename: string
): Promise<void> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(blob => {
      if (!blob) {
        reject(new Error('the browser made no PNG'));
        return;
      }
      download(blob, filename);
      resolve();
    }, 'image/png')
  );
}
