// Models: a job that writes results/model.npz and prints metric lines makes a
// model; the Models sidebar lists it, its details tab shows the lineage (the
// job, a link that opens the job tab), the final metrics and the job's charts;
// Download saves the zip; after the job is deleted the lineage shows it as
// deleted with its recorded facts, and its charts stay; "Register as Model…" on a file in the file
// browser makes a manual model; a training task's model links its module, dataset
// and task and shows the task's conf, and its tab comes back after a reload;
// Delete refused (409, a service serves it) says the server's message, and
// Delete removes it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab, waitForLab } from './lib/browser.mjs';
import { fileMenuEntry, until } from './lib/failures.mjs';
import { dismissToasts, waitForToast, withSnapshot } from './lib/lab.mjs';
import { startServer, tmp } from './lib/server.mjs';

const TRAIN = `import json, os
os.makedirs('results', exist_ok=True)
for step in range(1, 6):
    print(json.dumps({"metric": "loss", "value": 1.0 / step, "step": step}), flush=True)
print(json.dumps({"metric": "accuracy", "value": 0.875, "step": 5}), flush=True)
with open(os.path.join('results', 'model.npz'), 'wb') as f:
    f.write(b'PK' + b'weights' * 64)
print('saved', flush=True)
`;

/** Poll `fn` (async, REST) until it returns a truthy value. */
async function poll(fn, label, timeout = 60000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn().catch(err => ({ error: String(err) }));
    if (last && !last.error) {
      return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`timeout waiting for ${label}: ${JSON.stringify(last)}`);
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

async function findVersion(server, name) {
  const { models } = await server.api('mo/api/models');
  const group = models.find(m => m.name === name);
  return group && group.versions.length ? group.versions[0] : null;
}

async function showModels(page) {
  await execute(page, 'mo:open-models');
  await page.waitForSelector('#mo-models-sidebar .mo-ModelsSidebar-content', { state: 'visible' });
}

/** Expand a model's row in the sidebar and open one version's tab. */
async function openFromSidebar(page, name, version) {
  await showModels(page);
  await page.locator('#mo-models-sidebar .mo-ModelsSidebar-refresh').click();
  const group = page.locator(`#mo-models-sidebar .mo-ModelGroup[data-model="${name}"]`);
  await group.waitFor({ state: 'visible', timeout: 30000 });
  if ((await group.getAttribute('data-expanded')) !== 'true') {
    await group.locator('.mo-ModelRow').click();
  }
  await group.locator(`.mo-ModelVersionRow[data-version="${version}"]`).click();
  const tab = page.locator(`#mo-model-${name.replace(/[^A-Za-z0-9_-]/g, '_')}-${version}`);
  await tab.locator('.mo-ModelDetails-content[data-state="ready"]').waitFor({ state: 'visible' });
  return tab;
}

describe('models: sidebar, details, download, register, delete', () => {
  const lab = useLab(async () => {
    const server = await startServer({ name: 'models' });
    fs.writeFileSync(path.join(server.root, 'train_model.py'), TRAIN);
    fs.writeFileSync(path.join(server.root, 'my_weights.pt'), Buffer.from('torch-ish weights'));
    return server;
  });
  let jobId;
  let model;

  it('a job that writes results/model.npz makes a model; its details show lineage, metrics, charts', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'models-details', async () => {
      jobId = (await server.api('mo/api/jobs', { method: 'POST', body: { path: 'train_model.py' } })).id;
      await poll(async () => (await server.api(`mo/api/jobs/${jobId}`)).state === 'completed', 'the job');
      model = await poll(() => findVersion(server, 'model'), 'the model of the job');
      assert.equal(model.source, 'job');
      assert.equal(model.lineage.job.id, jobId);

      const tab = await openFromSidebar(page, 'model', model.version);
      // the sidebar's version row says where it came from
      const row = page.locator(`#mo-models-sidebar .mo-ModelVersionRow[data-model="model"][data-version="${model.version}"]`);
      assert.equal(await row.getAttribute('data-job-id'), jobId);
      assert.match(await row.innerText(), /NumPy/);

      // final metrics: the last loss value and the accuracy
      const loss = tab.locator('.mo-ModelMetrics-table tr[data-metric="loss"]');
      assert.equal(await loss.locator('.mo-ModelMetrics-last').innerText(), '0.2');
      assert.equal(await loss.locator('.mo-ModelMetrics-best').innerText(), '0.2');
      assert.equal(
        await tab.locator('.mo-ModelMetrics-table tr[data-metric="accuracy"] .mo-ModelMetrics-last').innerText(),
        '0.875'
      );
      // the files table: name and a short sha256
      const file = tab.locator('.mo-ModelFiles-table tr[data-path="model.npz"]');
      assert.equal(await file.locator('.mo-ModelFiles-sha').innerText(), model.files[0].sha256.slice(0, 12));
      // the job's charts, drawn by the Metrics tab's panel
      const chart = tab.locator('.mo-ModelDetails-charts .mo-MetricChart[data-metric="loss"]');
      await chart.waitFor({ state: 'visible' });
      await until(page, async () => (await chart.getAttribute('data-points')) === '5', { label: 'loss chart with 5 points' });
      // accuracy was printed once: a row of the table, no one-point chart
      assert.equal(await tab.locator('.mo-MetricChart[data-metric="accuracy"]').count(), 0);

      // the lineage links the job: a click opens its tab
      const jobLink = tab.locator('.mo-ModelLineage-job');
      assert.match(await jobLink.innerText(), new RegExp(jobId));
      await jobLink.click();
      await page.locator(`#mo-job-${jobId}`).waitFor({ state: 'visible' });
    });
  });

  it('Download saves the version as <name>-<version>.zip', async () => {
    const { page } = lab;
    await withSnapshot(page, 'models-download', async () => {
      const tab = await openFromSidebar(page, 'model', model.version);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        tab.locator('[data-testid="mo-model-download"]').click()
      ]);
      assert.equal(download.suggestedFilename(), `model-${model.version}.zip`);
      const saved = path.join(tmp('download'), 'model.zip');
      await download.saveAs(saved);
      const bytes = fs.readFileSync(saved);
      assert.equal(bytes.subarray(0, 2).toString(), 'PK');
      assert.ok(bytes.includes(Buffer.from('model.npz')), 'the zip holds model.npz');
    });
  });

  it('after the job is deleted, the lineage shows it deleted with its recorded facts; the charts stay', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'models-deleted-job', async () => {
      await server.api(`mo/api/jobs/${jobId}`, { method: 'DELETE' });
      // a fresh tab loads the record again
      await page.evaluate(() => {
        for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
          if (w.id.startsWith('mo-model-') || w.id.startsWith('mo-job-')) {
            w.close();
          }
        }
      });
      const tab = await openFromSidebar(page, 'model', model.version);
      await tab.locator('.mo-ModelDetails-content[data-job="deleted"]').waitFor({ state: 'visible' });
      assert.equal(await tab.locator('.mo-ModelLineage-job .mo-Badge-deleted').count(), 1);
      // what the job was stays readable: its code, backend, machine
      const facts = await tab.locator('.mo-ModelLineage-table').innerText();
      assert.match(facts, /train_model\.py/);
      assert.match(facts, /local/);
      assert.match(facts, /completed/);
      // the recorded final metrics stay, and so do the charts (the series are kept with the model)
      assert.equal(
        await tab.locator('.mo-ModelMetrics-table tr[data-metric="loss"] .mo-ModelMetrics-last').innerText(),
        '0.2'
      );
      const chart = tab.locator('.mo-ModelDetails-charts .mo-MetricChart[data-metric="loss"]');
      await chart.waitFor({ state: 'visible' });
      await until(page, async () => (await chart.getAttribute('data-points')) === '5', {
        label: 'the kept loss chart with 5 points'
      });
    });
  });

  it("a training task's model: module, dataset and task in the lineage, the conf; restored on reload", async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'models-task', async () => {
      const task = await server.api('mo/api/tasks', {
        method: 'POST',
        body: {
          name: 'bayes-08',
          module: 'mo/text_classifier_bayes',
          dataset: 'mo/text_zh_en',
          split: { kind: 'ratio', ratio: 0.8 },
          start: true
        }
      });
      const job = task.jobs[task.jobs.length - 1];
      await poll(async () => (await server.api(`mo/api/jobs/${job}`)).state === 'completed', 'the task job', 120000);
      const made = await poll(() => findVersion(server, 'text_classifier_bayes'), 'the task model');
      assert.equal(made.lineage.task.id, task.id);

      const tab = await openFromSidebar(page, 'text_classifier_bayes', made.version);
      const lineage = tab.locator('.mo-ModelLineage-table');
      assert.match(await lineage.locator('.mo-ModelLineage-task').innerText(), /bayes-08/);
      assert.equal(await lineage.locator('.mo-ModelLineage-module').innerText(), 'mo/text_classifier_bayes@1.0.0');
      assert.equal(await lineage.locator('.mo-ModelLineage-dataset').innerText(), 'mo/text_zh_en@1.0.0');
      const conf = tab.locator('.mo-ModelConf-table');
      assert.equal(await conf.locator('tr[data-field="alpha"] td').innerText(), '0.3');
      assert.equal(await conf.locator('tr[data-field="train_ratio"] td').innerText(), '0.8');
      assert.equal(
        await tab.locator('.mo-ModelMetrics-table tr[data-metric="accuracy"] .mo-ModelMetrics-last').innerText(),
        String(made.lineage.metrics.accuracy.last)
      );

      // the module and dataset links open their details tabs
      await lineage.locator('.mo-ModelLineage-module').click();
      await page.locator('#mo-module-mo_text_classifier_bayes').waitFor({ state: 'visible' });
      await page.evaluate(id => window.jupyterapp.shell.activateById(id), await tab.getAttribute('id'));
      await lineage.locator('.mo-ModelLineage-dataset').click();
      await page.locator('#mo-dataset-mo_text_zh_en').waitFor({ state: 'visible' });

      // the model's tab is part of the layout: a reload brings it back
      await page.evaluate(id => window.jupyterapp.shell.activateById(id), await tab.getAttribute('id'));
      // the layout is saved (debounced) after a change: wait until the workspace holds the tab
      const key = `mo-model:text_classifier_bayes:${made.version}`;
      await poll(async () => JSON.stringify(await server.api('lab/api/workspaces/default')).includes(key), 'the saved layout');
      await page.reload();
      await waitForLab(page);
      await page
        .locator(`#mo-model-text_classifier_bayes-${made.version} .mo-ModelDetails-content[data-state="ready"]`)
        .waitFor({ state: 'attached' });
    });
  });

  it('Register as Model… on a file adds a manual model; Delete removes it', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'models-register-delete', async () => {
      await dismissToasts(page).catch(() => undefined);
      const entry = await fileMenuEntry(page, '', 'my_weights.pt', 'mo:register-model');
      await entry.click();
      const dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-RegisterModel') });
      await dialog.waitFor({ state: 'visible' });
      const name = dialog.locator('[data-testid="mo-register-model-name"]');
      assert.equal(await name.inputValue(), 'my_weights');
      await name.fill('hand_made');
      await dialog.locator('[data-testid="mo-register-model-description"]').fill('registered from the browser test');
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await dialog.waitFor({ state: 'detached' });

      const made = await poll(() => findVersion(server, 'hand_made'), 'the manual model');
      assert.equal(made.source, 'manual');
      assert.equal(made.framework, 'pytorch');
      assert.equal(made.description, 'registered from the browser test');

      // the search box asks the server (?q=): only the matching model stays
      await showModels(page);
      const search = page.locator('#mo-models-sidebar .mo-ModelsSearch input');
      await search.fill('hand_');
      await until(page, async () =>
        (await page.locator('#mo-models-sidebar .mo-ModelGroup').evaluateAll(n => n.map(e => e.dataset.model))).join() ===
        'hand_made', { label: 'the search result' });
      await search.fill('');

      const tab = await openFromSidebar(page, 'hand_made', made.version);
      assert.equal(await tab.locator('.mo-ModelDetails-content').getAttribute('data-source'), 'manual');
      assert.match(await tab.locator('.mo-ModelMeta').innerText(), /my_weights\.pt/);

      // refused while a service serves it: the server's 409 message (its own wording, as the
      // models service words it) shows in a notification and the tab stays
      const inUse = `model hand_made:${made.version} is served by svc-demo: delete that service first`;
      const route = `**/mo/api/models/hand_made/${made.version}*`;
      await page.route(route, r =>
        r.request().method() === 'DELETE'
          ? r.fulfill({
              status: 409,
              contentType: 'application/json',
              body: JSON.stringify({ message: inUse, reason: 'in use' })
            })
          : r.continue()
      );
      const confirm = page.locator('.jp-Dialog', { hasText: /hand_made/ });
      await tab.locator('[data-testid="mo-model-delete"]').click();
      await confirm.locator('.jp-Dialog-button.jp-mod-warn').click();
      assert.match(await waitForToast(page, /svc-demo/), /delete that service first/);
      await page.unroute(route);
      await dismissToasts(page);
      assert.ok(await tab.isVisible(), 'the tab stays after a refused delete');

      await tab.locator('[data-testid="mo-model-delete"]').click();
      await confirm.locator('.jp-Dialog-button.jp-mod-warn').click();
      await tab.waitFor({ state: 'detached' });
      const gone = await server.api(`mo/api/models/hand_made/${made.version}`, { raw: true });
      assert.equal(gone.status, 404);
      await page
        .locator('#mo-models-sidebar .mo-ModelGroup[data-model="hand_made"]')
        .waitFor({ state: 'detached' });
      // the job's model is still listed
      await page.locator('#mo-models-sidebar .mo-ModelGroup[data-model="model"]').waitFor({ state: 'visible' });
    });
  });

  it('speaks Chinese after switching JupyterLab to zh_CN', async t => {
    const { page, server } = lab;
    const { data } = await server.api('lab/api/translations');
    if (!('zh_CN' in data)) {
      t.skip('jupyterlab-language-pack-zh-CN is not installed');
      return;
    }
    await withSnapshot(page, 'models-zh', async () => {
      await server.api('lab/api/settings/@jupyterlab/translation-extension:plugin', {
        method: 'PUT',
        body: { raw: JSON.stringify({ locale: 'zh_CN' }) }
      });
      await page.reload();
      await waitForLab(page);
      await showModels(page);
      assert.equal(await page.locator('#mo-models-sidebar .mo-Sidebar-title').innerText(), '模型');
      const tab = await openFromSidebar(page, 'model', model.version);
      const headings = await tab.locator('.mo-Details-section > h2').allInnerTexts();
      assert.deepEqual(headings.slice(0, 2), ['详情', '血缘']);
      assert.equal(await tab.locator('[data-testid="mo-model-download"]').innerText(), '下载');
      assert.match(await tab.locator('.mo-ModelLineage-job .mo-Badge-deleted').innerText(), /已删除/);
    });
  });
});
