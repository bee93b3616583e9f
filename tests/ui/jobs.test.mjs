// Jobs in the browser: create one from the file browser's context menu and
// watch its charts grow, stop a second one from the Jobs sidebar, and the
// light / dark screenshots of the README.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab, waitForAttr } from './lib/browser.mjs';
import {
  dismissToasts,
  fileItem,
  jobRow,
  luminance,
  openJobTab,
  showFileBrowser,
  showJobsSidebar,
  submitCreateJobDialog,
  waitForJobState,
  waitForToast,
  withSnapshot
} from './lib/lab.mjs';
import { OUTPUT, REPO, startServer } from './lib/server.mjs';

// README screenshots: written to test-output/ on every run, and to docs/img/
// with `npm run screenshots` (so a test run leaves the work tree clean)
const IMG = process.env.MO_UI_SCREENSHOTS === 'docs' ? path.join(REPO, 'docs/img') : OUTPUT;

describe('jobs', () => {
  let streamJob; // the metrics_stream.py job of the first test

  const lab = useLab(() => {
    fs.mkdirSync(IMG, { recursive: true });
    return startServer({ name: 'jobs' });
  });

  it('creates a job from the file browser menu; its charts grow while it runs', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'create-job', async () => {
      await showFileBrowser(page);
      const item = fileItem(page, 'metrics_stream.py');
      await item.click();
      await item.click({ button: 'right' });
      const entry = page.locator('.lm-Menu .lm-Menu-item[data-command="mo:create-job"]');
      await entry.waitFor({ state: 'visible' });
      assert.match(await entry.innerText(), /Create Job…/);
      await entry.click();

      const id = await submitCreateJobDialog(page, { path: 'metrics_stream.py', args: '--steps 400 --rate 40' });
      streamJob = id;
      const rest = await server.api(`mo/api/jobs/${id}`);
      assert.equal(rest.path, 'metrics_stream.py');
      assert.deepEqual(rest.args, ['--steps', '400', '--rate', '40']);

      await showJobsSidebar(page);
      const row = jobRow(page, id);
      await page.waitForSelector(`#mo-jobs-sidebar .mo-JobRow[data-job-id="${id}"][data-state="running"]`);
      assert.match(await row.locator('.mo-JobRow-path').innerText(), /metrics_stream\.py/);
      await row.click(); // opens (activates) the job's tab
      await page.waitForSelector(`#mo-job-${id}:not(.lm-mod-hidden)`);

      await openJobTab(page, id, 'metrics');
      const chart = `#mo-job-${id} .mo-MetricChart[data-metric="loss"]`;
      const p1 = Number(await waitForAttr(page, chart, 'data-points', v => Number(v) > 0));
      const stateAtP1 = await page.getAttribute(`#mo-job-${id} .mo-JobPanel`, 'data-state');
      const p2 = Number(await waitForAttr(page, chart, 'data-points', v => Number(v) > p1, { timeout: 10000 }));
      assert.equal(stateAtP1, 'running', 'the first reading was taken while the job ran');
      assert.ok(p2 > p1, `loss chart grew: ${p1} -> ${p2}`);
      assert.ok(p1 < 400, `first reading ${p1} is before the end`);
      for (const m of ['accuracy', 'lr']) {
        await page.waitForSelector(`#mo-job-${id} .mo-MetricChart[data-metric="${m}"]`);
      }

      await waitForJobState(page, id, 'completed', 40000);
      await waitForAttr(page, chart, 'data-points', v => v === '400', { label: 'all 400 loss points' });
      const toast = await waitForToast(page, /completed/);
      assert.match(toast, /metrics_stream/);
      // the non-numeric final value goes to the table, not a chart
      await page.waitForSelector(`#mo-job-${id} .mo-MetricsPanel-table tr[data-metric="status"]`);

      await openJobTab(page, id, 'log');
      // 400 loss + 40 accuracy + 40 lr + 4 "step" lines + 1 status line
      await waitForAttr(page, `#mo-job-${id} .mo-LogView`, 'data-lines', v => v === '485', { label: '485 log lines' });
      const text = await page.locator(`#mo-job-${id} .mo-LogView-rows`).innerText();
      assert.match(text, /"metric": "status", "value": "done"/);

      await openJobTab(page, id, 'details');
      const details = await page.locator(`#mo-job-${id} .mo-JobDetails`).innerText();
      assert.match(details, /metrics_stream\.py/);
      assert.match(details, /--steps/);
      await openJobTab(page, id, 'metrics');
      assert.deepEqual(page.errors.filter(e => !/favicon/.test(e)), []);
    });
  });

  it('stops a queued job from its tab and a running one from its sidebar row', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'stop-job', async () => {
      // the Create job dialog again, this time opened by the command with a path
      const created = execute(page, 'mo:create-job', { path: 'train_softmax.py' });
      const id = await submitCreateJobDialog(page, { path: 'train_softmax.py', args: '--delay 1' });
      await created;
      await showJobsSidebar(page);
      await waitForJobState(page, id, 'running');
      // let it print an epoch: a job that really runs is stopped
      await page.waitForSelector(`#mo-job-${id} .mo-LogView:not([data-lines="0"])`, { state: 'attached' });

      // a third job waits behind it (one job at a time): stop it from its tab while queued
      const queued = await server.api('mo/api/jobs', { method: 'POST', body: { path: 'train_softmax.py', name: 'waiting' } });
      await execute(page, 'mo:open-job', { id: queued.id });
      await waitForJobState(page, queued.id, 'queued');
      await page.locator(`#mo-job-${queued.id} .mo-JobStopButton[aria-disabled="false"]`).click();
      await waitForJobState(page, queued.id, 'stopped');
      await waitForToast(page, /"waiting" was stopped/);

      await jobRow(page, id).locator('.mo-JobRow-stop').click();
      await waitForJobState(page, id, 'stopped', 15000);
      const rest = await server.api(`mo/api/jobs/${id}`);
      assert.equal(rest.state, 'stopped');
      assert.equal(rest.reason, 'stopped by the user');
      assert.ok(rest.ended - rest.started < 25, `stopped early (ran ${rest.ended - rest.started} s of ~30 s)`);
      await waitForToast(page, /"train_softmax" was stopped/);
      // a final job offers delete instead of stop; its toolbar stop button is disabled
      await jobRow(page, id).locator('.mo-JobRow-delete').waitFor();
      await page.waitForSelector(`#mo-job-${id} .mo-JobStopButton[aria-disabled="true"]`, { state: 'attached' });

      // the queued job never started, even after the running one ended
      const never = await server.api(`mo/api/jobs/${queued.id}`);
      assert.equal(never.state, 'stopped');
      assert.equal(never.started, null);
      assert.equal(never.reason, 'stopped before it started');
      // a finished job can be deleted: its row and tab go away
      await execute(page, 'mo:delete-job', { id: queued.id, noConfirm: true });
      await jobRow(page, queued.id).waitFor({ state: 'detached' });
      await execute(page, 'application:close-all');
    });
  });

  it('draws the Metrics tab in the light and the dark theme (README screenshots)', async () => {
    const { page } = lab;
    await withSnapshot(page, 'themes', async () => {
      const id = streamJob;
      assert.ok(id, 'needs the job of the first test');
      await execute(page, 'mo:open-job', { id });
      // only the job's tab in the main area (the launcher reopens after close-all)
      await page.evaluate(keep => {
        for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
          if (w.id !== keep) {
            w.close();
          }
        }
      }, `mo-job-${id}`);
      await showJobsSidebar(page);
      await openJobTab(page, id, 'metrics');
      for (const m of ['loss', 'accuracy']) {
        await waitForAttr(page, `#mo-job-${id} .mo-MetricChart[data-metric="${m}"]`, 'data-rendered-points', v => Number(v) > 1);
      }
      await dismissToasts(page);
      const panel = `#mo-job-${id} .mo-MetricsPanel`;
      assert.ok((await luminance(page, panel, 'background-color')) > 0.7, 'light panel background');
      const lightAxis = await axisLuminance(page, id);
      assert.ok(lightAxis >= 0 && lightAxis < 0.4, `dark axis labels on the light theme (${lightAxis})`);
      await page.screenshot({ path: path.join(IMG, 'jobs-metrics.png') });

      await execute(page, 'apputils:change-theme', { theme: 'JupyterLab Dark' });
      await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'false');
      // a theme change shows the splash screen until the theme's CSS is in
      await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
      await page.waitForFunction(
        sel => getComputedStyle(document.querySelector(sel)).backgroundColor !== 'rgb(255, 255, 255)',
        panel
      );
      const bg = await luminance(page, panel, 'background-color');
      const layout = await luminance(page, panel, '--jp-layout-color1');
      const chartBg = await luminance(page, `#mo-job-${id} .mo-MetricChart[data-metric="loss"]`, 'background-color');
      const title = await luminance(page, `#mo-job-${id} .mo-MetricChart[data-metric="loss"] .mo-MetricChart-title`, 'color');
      assert.ok(bg < 0.05 && layout < 0.05, `dark panel background (luminance ${bg}, --jp-layout-color1 ${layout})`);
      assert.ok(chartBg < 0.05, `dark chart background (luminance ${chartBg})`);
      assert.ok(title > 0.5, `light chart title text (luminance ${title})`);
      // the canvas is redrawn with the dark theme's colours: light axis labels
      await page.waitForFunction(
        ([jobId, before]) => window.__moAxisLuminance(jobId) > before + 0.3,
        [id, lightAxis],
        { timeout: 10000 }
      ).catch(async () => {
        throw new Error(`axis labels stay dark after the theme change (${lightAxis} -> ${await axisLuminance(page, id)})`);
      });
      await dismissToasts(page);
      await page.screenshot({ path: path.join(IMG, 'jobs-metrics-dark.png') });
    });
  });
});

/**
 * Mean luminance of the drawn pixels of the loss chart's y-axis labels (the
 * canvas's left 40 CSS pixels, left of the ticks): they are drawn with
 * --jp-ui-font-color2, dark on the light theme and light on the dark one.
 */
async function axisLuminance(page, id) {
  await page.evaluate(() => {
    window.__moAxisLuminance = jobId => {
      const canvas = document.querySelector(`#mo-job-${jobId} .mo-MetricChart[data-metric="loss"] canvas`);
      if (!canvas) {
        return -1;
      }
      const scale = canvas.width / canvas.getBoundingClientRect().width;
      const w = Math.floor(40 * scale);
      const { data } = canvas.getContext('2d').getImageData(0, 0, w, canvas.height);
      let sum = 0;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 100) {
          sum += (0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2]) / 255;
          n++;
        }
      }
      return n ? sum / n : -1;
    };
  });
  return page.evaluate(jobId => window.__moAxisLuminance(jobId), id);
}
