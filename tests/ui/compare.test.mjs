// Compare runs (issue 11 §2): two real jobs of one script with different
// args -> select both in the Jobs sidebar (a checkbox, a Ctrl-click) ->
// Compare -> one chart per metric with both jobs in its legend, the table
// with the differing arg highlighted, sorted by a metric column, Export CSV
// (both job ids in the file) and Export PNG; the row menu's Compare Selected
// Jobs; the tab comes back after a reload.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab, waitForLab } from './lib/browser.mjs';
import { jobRow, luminance, showJobsSidebar, withSnapshot } from './lib/lab.mjs';
import { OUTPUT, startServer } from './lib/server.mjs';

const TRAIN = `import json, sys
args = sys.argv[1:]
lr = float(args[args.index('--lr') + 1])
for step in range(20):
    print(json.dumps({'metric': 'loss', 'value': 1.0 / (step + 1) + lr, 'step': step}))
    print(json.dumps({'metric': 'accuracy', 'value': 0.5 + step * lr / 10, 'step': step}))
`;

const TAB = '.mo-CompareWidget';

async function waitForJob(server, id, timeout = 30000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const job = await server.api(`mo/api/jobs/${id}`);
    if (['completed', 'failed', 'stopped'].includes(job.state)) {
      return job;
    }
    if (Date.now() > deadline) {
      throw new Error(`job ${id} still ${job.state}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
}

/** Relative luminance of a computed colour as a canvas paints it (any CSS colour syntax). */
function painted(page, selector, prop) {
  return page.$eval(
    selector,
    (el, p) => {
      const ctx = Object.assign(document.createElement('canvas'), { width: 1, height: 1 }).getContext('2d');
      ctx.fillStyle = getComputedStyle(el)[p];
      ctx.fillRect(0, 0, 1, 1);
      const lin = c => {
        c /= 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    },
    prop
  );
}

/** Job ids of the table's rows, in the order shown. */
function rowIds(page) {
  return page.$$eval(`${TAB} .mo-CompareTable-table tbody tr`, trs => trs.map(tr => tr.dataset.jobId));
}

describe('compare runs', () => {
  const lab = useLab(async () => {
    const server = await startServer({ name: 'compare' });
    fs.writeFileSync(path.join(server.root, 'cmp_train.py'), TRAIN);
    return server;
  });
  const ids = {};

  it('selects two jobs in the sidebar and compares them: legend, differing arg, sort, CSV, PNG', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'compare', async () => {
      for (const [name, lr] of [['slow-lr', '0.1'], ['fast-lr', '0.3']]) {
        const job = await server.api('mo/api/jobs', {
          method: 'POST',
          body: { path: 'cmp_train.py', name, args: ['--lr', lr, '--epochs', '20'] }
        });
        ids[name] = job.id;
      }
      for (const id of Object.values(ids)) {
        assert.equal((await waitForJob(server, id)).state, 'completed');
      }
      await showJobsSidebar(page);
      const slow = jobRow(page, ids['slow-lr']);
      const fast = jobRow(page, ids['fast-lr']);
      await page.waitForSelector(`#mo-jobs-sidebar .mo-JobRow[data-job-id="${ids['fast-lr']}"][data-state="completed"]`);
      // New Training Task sits in the header when its command exists
      const hasTask = await page.evaluate(() => window.jupyterapp.commands.hasCommand('mo:new-training-task'));
      assert.equal(await page.locator('#mo-jobs-sidebar .mo-JobsSidebar-newTask').isVisible(), hasTask);
      const compare = page.locator('#mo-jobs-sidebar .mo-JobsSidebar-compare');
      assert.equal(await compare.isDisabled(), true, 'Compare needs two jobs');
      // one by its checkbox, the other by Ctrl-click (which does not open it)
      await slow.locator('.mo-JobRow-select').check();
      assert.equal(await compare.isDisabled(), true);
      await fast.click({ modifiers: ['Control'] });
      await page.waitForSelector(`#mo-jobs-sidebar .mo-JobRow[data-job-id="${ids['fast-lr']}"][data-selected="true"]`);
      assert.equal(await page.locator('.mo-JobWidget').count(), 0, 'Ctrl-click selects, it does not open');
      assert.match(await page.locator('.mo-JobsSidebar-selectionCount').innerText(), /2 selected/);
      // the keyboard: Space on a focused row toggles it (Enter would open it)
      await slow.focus();
      await page.keyboard.press('Space');
      await page.waitForSelector(`#mo-jobs-sidebar .mo-JobRow[data-job-id="${ids['slow-lr']}"][data-selected="false"]`);
      assert.equal(await compare.isDisabled(), true);
      await page.keyboard.press('Space');
      await page.waitForSelector(`#mo-jobs-sidebar .mo-JobRow[data-job-id="${ids['slow-lr']}"][data-selected="true"]`);
      // the row menu offers it too
      await fast.click({ button: 'right' });
      const entry = page.locator('.lm-Menu .lm-Menu-item[data-command="mo:compare-jobs"]');
      await entry.waitFor({ state: 'visible' });
      assert.doesNotMatch((await entry.getAttribute('class')) ?? '', /lm-mod-disabled/);
      await page.keyboard.press('Escape');
      await compare.click();

      const tab = page.locator(TAB);
      await tab.waitFor({ state: 'visible' });
      const legend = `${TAB} .mo-CompareChart[data-metric="loss"] .u-legend .u-series`;
      await page.waitForFunction(sel => document.querySelectorAll(sel).length === 3, legend);
      const labels = await page.$$eval(`${legend} .u-label`, els => els.map(e => e.textContent));
      assert.deepEqual(labels.slice(1).sort(), ['fast-lr', 'slow-lr'], 'the legend names both jobs');
      assert.equal(await page.locator(`${TAB} .mo-CompareChart`).count(), 2, 'a chart per metric');
      assert.equal(await page.locator(`${TAB} .mo-CompareChart[data-metric="loss"]`).getAttribute('data-points'), '40');
      assert.equal(await page.locator(`${TAB} .mo-ComparePanel-xaxis`).inputValue(), 'step');

      // the differing arg is highlighted, the shared one is not
      const th = key => page.locator(`${TAB} .mo-CompareTable-table th[data-key="${key}"]`);
      assert.match(await th('arg:--lr').getAttribute('class'), /mo-mod-differs/);
      assert.doesNotMatch(await th('arg:--epochs').getAttribute('class'), /mo-mod-differs/);
      const lrCells = page.locator(`${TAB} td[data-key="arg:--lr"].mo-mod-differs`);
      assert.equal(await lrCells.count(), 2);
      const fg = await painted(page, `${TAB} td.mo-mod-differs`, 'color');
      const hl = await painted(page, `${TAB} td.mo-mod-differs`, 'background-color');
      const plain = await painted(page, `${TAB} td[data-key="backend"]`, 'background-color');
      assert.ok((Math.max(fg, hl) + 0.05) / (Math.min(fg, hl) + 0.05) >= 4.5, 'highlighted text readable');
      assert.notEqual(hl, plain, 'the highlight shows');

      // sort by a metric: loss best ascending puts slow-lr (1/20 + 0.1) first, then the other way
      await th('metric:loss:best').locator('button').click();
      assert.equal(await th('metric:loss:best').getAttribute('aria-sort'), 'ascending');
      assert.deepEqual(await rowIds(page), [ids['slow-lr'], ids['fast-lr']]);
      await th('metric:loss:best').locator('button').click();
      assert.equal(await th('metric:loss:best').getAttribute('aria-sort'), 'descending');
      assert.deepEqual(await rowIds(page), [ids['fast-lr'], ids['slow-lr']]);
      const best = await page.locator(`${TAB} tr[data-job-id="${ids['slow-lr']}"] td[data-key="metric:loss:best"]`);
      assert.match(await best.getAttribute('class'), /mo-mod-best/);

      // Export CSV: the table (rows in the order shown)
      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        tab.locator('.mo-Compare-exportCsv').first().click()
      ]);
      assert.match(csv.suggestedFilename(), /\.csv$/);
      const text = fs.readFileSync(await csv.path(), 'utf-8');
      const lines = text.trim().split(/\r?\n/);
      assert.equal(lines.length, 3);
      assert.ok(lines[0].startsWith('id,name,'), lines[0]);
      assert.ok(lines[1].startsWith(ids['fast-lr']) && lines[2].startsWith(ids['slow-lr']), text);
      assert.ok(lines[0].includes('loss best') && lines[0].includes('--lr'), lines[0]);

      // Export PNG: the charts in one image
      const [png] = await Promise.all([
        page.waitForEvent('download'),
        tab.locator('.mo-Compare-exportPng').first().click()
      ]);
      assert.match(png.suggestedFilename(), /\.png$/);
      const bytes = fs.readFileSync(await png.path());
      assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
      assert.ok(bytes.length > 5000, `PNG of ${bytes.length} bytes`);
      fs.mkdirSync(OUTPUT, { recursive: true });
      await png.saveAs(path.join(OUTPUT, 'compare-export.png'));
      assert.deepEqual(page.errors, []);
      fs.mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: path.join(OUTPUT, 'compare-tab.png') });
    });
  });

  it('redraws the charts in the dark theme, the highlight readable', async () => {
    const { page } = lab;
    await withSnapshot(page, 'compare-dark', async () => {
      await page.locator(`${TAB} .mo-CompareChart canvas`).first().waitFor();
      await execute(page, 'apputils:change-theme', { theme: 'JupyterLab Dark' });
      await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'false');
      await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
      const bg = await luminance(page, `${TAB} .mo-ComparePanel`, 'background-color');
      const cell = `${TAB} td.mo-mod-differs`;
      const fg = await painted(page, cell, 'color');
      const hl = await painted(page, cell, 'background-color');
      assert.ok(bg < 0.1, `dark background (${bg})`);
      const contrast = (Math.max(fg, hl) + 0.05) / (Math.min(fg, hl) + 0.05);
      assert.ok(contrast >= 4.5, `highlighted cell text contrast ${contrast.toFixed(2)}`);
      // the charts are re-created on the next animation frame
      await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
      fs.mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: path.join(OUTPUT, 'compare-tab-dark.png') });
      await execute(page, 'apputils:change-theme', { theme: 'JupyterLab Light' });
      await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'true');
      assert.deepEqual(page.errors, []);
    });
  });

  it('restores the Compare tab after a reload', async () => {
    const { page } = lab;
    await withSnapshot(page, 'compare-restore', async () => {
      // JupyterLab saves the layout a moment after a change: wait for the tab in the saved workspace
      const deadline = Date.now() + 20000;
      for (;;) {
        const saved = JSON.stringify(await lab.server.api('lab/api/workspaces'));
        if (saved.includes('"mo-compare:')) {
          break;
        }
        assert.ok(Date.now() < deadline, 'the Compare tab is saved in the workspace');
        await new Promise(r => setTimeout(r, 200));
      }
      await page.reload();
      await waitForLab(page);
      await page.locator(TAB).waitFor({ state: 'attached' });
      const jobs = await page.locator(`${TAB} .mo-ComparePanel`).getAttribute('data-jobs');
      assert.deepEqual(jobs.split(' ').sort(), Object.values(ids).sort());
      await page.waitForFunction(
        sel => document.querySelectorAll(sel).length === 2,
        `${TAB} .mo-CompareTable-table tbody tr`
      );
    });
  });
});
