// Benchmark (h): the Compare tab drawing 10 jobs x 100k points (one chart,
// ten series), against uPlot itself on a bare page drawing the same points
// at the same chart size, measured in the same run. Goal: <= 200 ms.
// Times are printed, never asserted (the machine's speed varies); the test
// asserts only that every series was drawn.
//
// The jobs are real: ten runs (through the server) of a script printing
// 100k metric lines; the Compare tab loads them as a user's would
// (GET mo/api/jobs/<id>/metrics).
//
// Timing, as benchmark (d): the synchronous work (a new uPlot per chart,
// each job's series downsampled and merged, drawn) plus a forced raster of
// the canvas (getImageData), medians of several runs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createRequire } from 'node:module';

import { execute, openLab, useLab } from './lib/browser.mjs';
import { withSnapshot } from './lib/lab.mjs';
import { OUTPUT, startServer } from './lib/server.mjs';

const require = createRequire(import.meta.url);
const UPLOT_JS = require.resolve('uplot/dist/uPlot.iife.min.js');
const UPLOT_CSS = require.resolve('uplot/dist/uPlot.min.css');

const JOBS = 10;
const N = 100_000;
const DRAWS = 5;

const GEN = `import math, sys
k = int(sys.argv[1])
w = sys.stdout.write
s = 12345 + k
for i in range(${N}):
    s = (s * 1103515245 + 12345) % 2147483648
    v = (2.5 + 0.1 * k) * math.exp(-i / 30000) + s / 2147483648 * 0.08
    w('{"metric": "loss", "value": %r, "step": %d}\\n' % (v, i))
`;

const PAGE_HELPERS = `
window.__bench = {
  async settle(root) {
    await Promise.resolve();
    for (const c of root.querySelectorAll('canvas')) {
      c.getContext('2d').getImageData(0, 0, 1, 1);
    }
    return performance.now();
  },
  median(v) {
    const s = [...v].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  }
};`;

async function waitForJobs(server, ids, timeout = 240000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const jobs = (await server.api('mo/api/jobs')).jobs.filter(j => ids.includes(j.id));
    if (jobs.every(j => ['completed', 'failed', 'stopped'].includes(j.state))) {
      return jobs;
    }
    if (Date.now() > deadline) {
      throw new Error(`jobs not done: ${jobs.map(j => j.state).join(' ')}`);
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

describe('benchmark (h): Compare tab with 10 jobs x 100k points', () => {
  const env = useLab(
    async () => {
      const server = await startServer({ name: 'bench_compare' });
      fs.writeFileSync(path.join(server.root, 'bench_compare_gen.py'), GEN);
      return server;
    },
    { open: false }
  );

  it('draws 10 x 100k points (JupyterLab vs bare uPlot)', async () => {
    const { browser, server } = env;
    const ids = [];
    for (let k = 0; k < JOBS; k++) {
      const job = await server.api('mo/api/jobs', {
        method: 'POST',
        body: { path: 'bench_compare_gen.py', name: `bench-${k}`, args: [String(k)] }
      });
      ids.push(job.id);
    }
    const t0 = Date.now();
    const jobs = await waitForJobs(server, ids);
    const runSeconds = (Date.now() - t0) / 1000;
    assert.deepEqual(jobs.map(j => j.state), ids.map(() => 'completed'));

    const page = await openLab(browser, server);
    const lab = await withSnapshot(page, 'bench-compare', () => benchLab(page, ids));

    const context = await browser.newContext({ viewport: { width: 1400, height: 850 } });
    const bare = await context.newPage();
    await bare.setContent('<!doctype html><html><body style="margin:0"><div id="chart"></div></body></html>');
    await bare.addStyleTag({ path: UPLOT_CSS });
    await bare.addScriptTag({ path: UPLOT_JS });
    await bare.addScriptTag({ content: PAGE_HELPERS });
    const base = await bare.evaluate(benchBare, { data: lab.data, draws: DRAWS, width: lab.width });
    delete lab.data;

    const f = v => v.toFixed(1);
    const ratio = lab.draw / base.draw;
    const line =
      `(h) compare: ${JOBS} x 100k points ${f(lab.draw)} ms ` +
      `(bare uPlot ${f(base.draw)} ms, ratio ${ratio.toFixed(2)})`;
    console.log(line);
    console.log(
      `(h) details: ${JOBS} jobs printing ${N} metric lines each ran in ${runSeconds.toFixed(1)} s; ` +
        `the tab loaded their metrics (REST) in ${f(lab.load)} ms; chart ${lab.width} px wide draws ` +
        `${lab.rendered} rows of ${lab.points} points; goal <= 200 ms`
    );
    fs.mkdirSync(OUTPUT, { recursive: true });
    fs.writeFileSync(path.join(OUTPUT, 'bench_compare.json'), JSON.stringify({ line, lab, bare: base }, null, 2));

    assert.equal(lab.points, JOBS * N, 'the chart counts every point of every job');
    assert.equal(lab.series, JOBS, 'every job has its series drawn');
    assert.equal(lab.legend, JOBS + 1, 'the legend names every job');
    assert.ok(lab.rendered > 100 && lab.rendered < JOBS * 20000, `downsampled to the width (${lab.rendered})`);
    assert.equal(base.points, JOBS * N);
    await context.close();
  });
});

async function benchLab(page, ids) {
  const t0 = Date.now();
  await execute(page, 'mo:compare-jobs', { ids });
  const chart = '.mo-CompareWidget .mo-CompareChart[data-metric="loss"]';
  await page.waitForSelector(`${chart}[data-points="${ids.length * N}"]`, { timeout: 120000 });
  const load = Date.now() - t0;
  await page.addScriptTag({ content: PAGE_HELPERS });
  return page.evaluate(
    async ({ draws, load }) => {
      const B = window.__bench;
      const widget = Array.from(window.jupyterapp.shell.widgets('main')).find(w =>
        w.hasClass('mo-CompareWidget')
      );
      const panel = widget.content;
      await panel.ready;
      const node = panel.charts[0].node;
      const times = [];
      for (let r = 0; r < draws; r++) {
        const t = performance.now();
        panel.refreshTheme(); // a new uPlot per chart: downsample, merge and draw every series
        times.push((await B.settle(panel.node)) - t);
      }
      // the same points for the bare page: x (steps, the same for every job) and each job's y
      const series = panel.charts[0].jobs.map(j => Array.from(j.series.y()));
      const x = Array.from(panel.charts[0].jobs[0].series.x('step'));
      return {
        load,
        draw: B.median(times),
        times,
        width: Math.round(node.querySelector('.uplot').getBoundingClientRect().width),
        points: Number(node.dataset.points),
        rendered: Number(node.dataset.renderedPoints),
        series: Number(node.dataset.series),
        legend: node.querySelectorAll('.u-legend .u-series').length,
        data: [x, ...series]
      };
    },
    { draws: DRAWS, load }
  );
}

/** Runs in the bare page: uPlot given all the points, as uPlot users do. */
async function benchBare({ data, draws, width }) {
  const B = window.__bench;
  const root = document.getElementById('chart');
  const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  const opts = {
    width,
    height: 240,
    scales: { x: { time: false } },
    legend: { show: true, live: true },
    cursor: { drag: { x: true, y: false } },
    series: [
      { label: 'step' },
      ...data.slice(1).map((_, i) => ({
        label: `job ${i}`,
        stroke: palette[i % palette.length],
        width: 1.5,
        spanGaps: false,
        points: { show: false }
      }))
    ]
  };
  let u = null;
  const times = [];
  for (let r = 0; r < draws + 1; r++) {
    u?.destroy();
    const t = performance.now();
    u = new uPlot(opts, data, root);
    const dt = (await B.settle(root)) - t;
    if (r > 0) {
      times.push(dt); // the first one warms the code up
    }
  }
  return { draw: B.median(times), times, points: data.slice(1).reduce((n, y) => n + y.length, 0) };
}
