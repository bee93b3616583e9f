// Benchmark (i): opening a finished job that printed 1M metric lines. From the
// command that opens its tab to the Metrics tab's first draw of the 1M points
// (and to the Log tab holding the 1M lines), against a bare page that fetches
// the same points from the same server as a JSON file and gives them to uPlot,
// measured in the same run. Goal: first draw <= 1 s. Times are printed, never
// asserted; the test asserts that every point and line arrived.
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
const N = 1_000_000;
const FLOOD =
  'import random, sys\n' +
  'w = sys.stdout.write\n' +
  `for i in range(${N}):\n` +
  '    w(\'{"metric": "loss", "value": %r, "step": %d}\\n\' % (random.random(), i))\n';

describe('benchmark (i): opening a finished 1M-line job', () => {
  const env = useLab(() => startServer({ name: 'bench-open' }), { open: false });

  it('draws its 1M points (JupyterLab vs bare uPlot fed over HTTP)', async () => {
    const { browser, server } = env;
    fs.writeFileSync(path.join(server.root, 'flood.py'), FLOOD);
    const job = await server.api('mo/api/jobs', { method: 'POST', body: { path: 'flood.py' } });
    const deadline = Date.now() + 120000;
    let state = job.state;
    while (state !== 'completed') {
      assert.ok(Date.now() < deadline && !['failed', 'stopped'].includes(state), `job ${state}`);
      await new Promise(r => setTimeout(r, 200));
      state = (await server.api(`mo/api/jobs/${job.id}`)).state;
    }
    // the baseline's data: the same points as a plain JSON file the server serves
    const cols = await server.api(`mo/api/jobs/${job.id}/metrics?format=columns`);
    const loss = cols.series.find(s => s.metric === 'loss');
    fs.writeFileSync(path.join(server.root, 'points.json'), JSON.stringify({ x: loss.time, y: loss.value }));

    const page = await openLab(browser, server);
    const lab = await withSnapshot(page, 'bench-open', () =>
      page.evaluate(
        async ({ id, n }) => {
          const t0 = performance.now();
          await window.jupyterapp.commands.execute('mo:open-job', { id });
          const widget = () =>
            Array.from(window.jupyterapp.shell.widgets('main')).find(w => w.id === `mo-job-${id}`);
          let drawn = 0;
          let lines = 0;
          let shown = false;
          while (!drawn || !lines) {
            await new Promise(r => requestAnimationFrame(r));
            const w = widget();
            if (w && !shown) {
              w.content.currentWidget = w.content.metrics; // the user goes to the Metrics tab
              shown = true;
            }
            const node = w?.node.querySelector('.mo-MetricChart[data-metric="loss"]');
            if (!drawn && node && Number(node.dataset.points) === n && node.querySelector('canvas')) {
              node.querySelector('canvas').getContext('2d').getImageData(0, 0, 1, 1);
              drawn = performance.now() - t0;
            }
            if (!lines && w && w.content.log.lineCount === n) {
              lines = performance.now() - t0;
            }
            if (performance.now() - t0 > 60000) {
              break;
            }
          }
          return { drawn, lines };
        },
        { id: job.id, n: N }
      )
    );

    const context = await browser.newContext({ viewport: { width: 1400, height: 850 }, bypassCSP: true });
    const bare = await context.newPage();
    await bare.goto(`${server.url}api/status?token=${server.token}`); // same origin, a tiny page
    await bare.setContent('<!doctype html><html><body style="margin:0"><div id="chart"></div></body></html>');
    await bare.addStyleTag({ path: UPLOT_CSS });
    await bare.addScriptTag({ path: UPLOT_JS });
    const base = await bare.evaluate(
      async ({ url }) => {
        const t0 = performance.now();
        const data = await (await fetch(url)).json();
        const root = document.getElementById('chart');
        const u = new uPlot(
          {
            width: 1200,
            height: 200,
            scales: { x: { time: false } },
            series: [{ label: 'time' }, { label: 'loss', stroke: '#1976d2', points: { show: false } }]
          },
          [data.x, data.y],
          root
        );
        await Promise.resolve();
        root.querySelector('canvas').getContext('2d').getImageData(0, 0, 1, 1);
        return { drawn: performance.now() - t0, points: u.data[0].length };
      },
      { url: `${server.url}files/points.json?token=${server.token}` }
    );
    await context.close();

    const f = v => v.toFixed(0);
    const line =
      `(i) open a finished 1M-line job: Metrics tab first draw ${f(lab.drawn)} ms ` +
      `(bare uPlot fetching the same points as JSON ${f(base.drawn)} ms, ratio ${(lab.drawn / base.drawn).toFixed(2)}; ` +
      `goal <= 1000 ms), Log tab holding the 1M lines ${f(lab.lines)} ms`;
    console.log(line);
    fs.mkdirSync(OUTPUT, { recursive: true });
    fs.writeFileSync(path.join(OUTPUT, 'bench_open_job.json'), JSON.stringify({ line, lab, bare: base }, null, 2));
    assert.ok(lab.drawn > 0, 'the Metrics tab drew the 1M points');
    assert.ok(lab.lines > 0, 'the Log tab holds the 1M lines');
    assert.equal(base.points, N);
  });
});
