// The training platform end to end (issue 11, "Done means"), as a learner meets it:
// 1. New Training Task on mo/text_classifier_bayes + mo/text_zh_en (the dataset's 80 % train share)
//    → Start → the job's accuracy chart → the model in the Models sidebar with its lineage → Deploy
//    (no handle written: the module's predict) → the test page classifies a sentence; a second run
//    with another alpha → Compare the two: conf.alpha highlighted.
// 2. The seeds' MNIST: a task of mo/mnist_cnn on mo/mnist on the docker backend, its model deployed
//    from the model record, a drawn digit classified.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab } from './lib/browser.mjs';
import { WIZARD as DEPLOY_WIZARD, drawDigitAndRun, gotoStep, waitForScan } from './lib/deploy.mjs';
import { jobRow, openJobTab, showJobsSidebar, waitForJobState, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const WIZARD = '.mo-TaskWizard [data-testid="mo-task-wizard"]';
const BACKENDS = {
  local: {},
  docker: { machines: { cpu: { image: 'mo-jupyter/cpu:latest', cpus: 2, memory: '4g' } } }
};

/** Poll the server until the job has ended; its view. */
async function ended(server, id, timeout) {
  for (const deadline = Date.now() + timeout; Date.now() < deadline; ) {
    const job = await server.api(`mo/api/jobs/${id}`);
    if (['completed', 'failed', 'stopped'].includes(job.state)) {
      return job;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`job ${id} did not end within ${timeout} ms`);
}

async function next(page, step) {
  await page.locator(`${WIZARD} [data-testid="mo-task-next"]`).click();
  await page.waitForSelector(`${WIZARD}[data-step="${step}"]`, { state: 'visible' });
}

/** Open a version's details tab from the Models sidebar. */
async function openModel(page, name, version) {
  await execute(page, 'mo:open-models');
  await page.locator('#mo-models-sidebar .mo-ModelsSidebar-refresh').click();
  const group = page.locator(`#mo-models-sidebar .mo-ModelGroup[data-model="${name}"]`);
  await group.waitFor({ state: 'visible', timeout: 30000 });
  if ((await group.getAttribute('data-expanded')) !== 'true') {
    await group.locator('.mo-ModelRow').click();
  }
  await group.locator(`.mo-ModelVersionRow[data-version="${version}"]`).click();
  const tab = page.locator(`#mo-model-${name}-${version}`);
  await tab.locator('.mo-ModelDetails-content[data-state="ready"]').waitFor({ state: 'visible' });
  return tab;
}

/** The server log's warnings and errors (a request refused or failed), the last ones. */
function serverWarnings(server) {
  try {
    const lines = fs.readFileSync(server.logFile, 'utf8').split('\n');
    return lines.filter(l => /^\[[WEC] /.test(l)).slice(-15).join('\n');
  } catch (err) {
    return String(err);
  }
}

/** Deploy from the model tab; the test page opens once the service runs: its service id. */
async function deployFromTab(page, server, tab, name, version) {
  await tab.locator('[data-testid="mo-model-deploy"]').click();
  const id = `${name}-v${version}-dev`;
  try {
    await page.waitForSelector(`#mo-testpage-${id}`, { timeout: 120000 });
  } catch (err) {
    // say why the service did not come up: its state and the end of its log
    const view = await server.api(`mo/api/services/${id}`).catch(e => String(e));
    const logs = await server.api(`mo/api/services/${id}/logs?tail=40`).catch(e => String(e));
    // and what the page said: its notifications, open tabs and errors
    const toasts = await page
      .evaluate(() => [...document.querySelectorAll('.Toastify__toast')].map(t => t.textContent))
      .catch(e => String(e));
    const tabs = await page
      .evaluate(() => [...window.jupyterapp.shell.widgets('main')].map(w => w.id))
      .catch(e => String(e));
    throw new Error(
      `${err.message}\nservice: ${JSON.stringify(view)}\nlogs: ${JSON.stringify(logs)}` +
        `\nnotifications: ${JSON.stringify(toasts)}\nmain tabs: ${JSON.stringify(tabs)}` +
        `\npage errors: ${JSON.stringify(page.errors ?? [])}` +
        `\nserver warnings: ${serverWarnings(server)}`
    );
  }
  const service = await server.api(`mo/api/services/${id}`);
  assert.deepEqual(service.model, { name, version });
  return id;
}

describe('the training platform: task → model → service, and compare', () => {
  const lab = useLab(() =>
    startServer({ name: 'platform', extraArgs: [`--MoJupyterApp.backends=${JSON.stringify(BACKENDS)}`] })
  );

  it('trains text_classifier_bayes with the wizard, deploys its model and classifies a sentence', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'platform-text', async () => {
      await execute(page, 'mo:new-training-task');
      await page.waitForSelector(`${WIZARD}[data-step="purpose"]`, { state: 'visible' });
      await page.locator(`${WIZARD} [data-purpose="text_classification"]`).click();
      await next(page, 'algorithm');
      await page.locator(`${WIZARD} .mo-TaskCard[data-module="mo/text_classifier_bayes"]`).click();
      await next(page, 'dataset');
      await page.locator(`${WIZARD} .mo-TaskCard[data-dataset="mo/text_zh_en"]`).click();
      const split = page.locator(`${WIZARD} .mo-TaskSplit`);
      assert.match(await split.innerText(), /Train share of the dataset: 80 %/);
      assert.equal(await split.locator('input[value="dataset"]').isChecked(), true);
      await next(page, 'params');
      await next(page, 'machine');
      await page.locator(`${WIZARD} .mo-TaskBackend`).selectOption('local');
      await next(page, 'name');
      await page.locator(`${WIZARD} .mo-TaskName`).fill('bayes-alpha-0.3');
      await page.locator(`${WIZARD} [data-testid="mo-task-start"]`).click();
      await page.waitForSelector('.mo-TaskWizard', { state: 'detached', timeout: 60000 });

      const [task] = (await server.api('mo/api/tasks')).tasks;
      const jobId = task.last_job.id;
      assert.equal((await server.api(`mo/api/jobs/${jobId}`)).task.conf.train_ratio, 0.8, 'the split reached train()');
      await waitForJobState(page, jobId, 'completed', 120000);
      await openJobTab(page, jobId, 'metrics');
      await page.locator(`#mo-job-${jobId} [data-metric="accuracy"]`).first().waitFor({ state: 'visible' });

      // the model is in the Models sidebar with its lineage
      const tab = await openModel(page, 'text_classifier_bayes', 1);
      const lineage = await tab.locator('.mo-ModelLineage').innerText();
      assert.match(lineage, /mo\/text_classifier_bayes/);
      assert.match(lineage, /mo\/text_zh_en/);
      assert.match(lineage, new RegExp(jobId));

      // Deploy: the module's predict serves it; the test page classifies a sentence
      const id = await deployFromTab(page, server, tab, 'text_classifier_bayes', 1);
      const frame = page.frameLocator(`#mo-testpage-${id} iframe`);
      await frame.locator('input[name="text"]').fill('The football match went to extra time');
      await frame.locator('button.run').click();
      await frame.locator('#st').filter({ hasText: /^200 in/ }).waitFor({ timeout: 30000 });
      assert.match(await frame.locator('#out').innerText(), /sports/);
      // the service names its model (the Deploy sidebar links to it), and the model its service
      assert.deepEqual((await server.api('mo/api/models/text_classifier_bayes/1')).services, [id]);
      await execute(page, 'mo:open-deploy');
      const link = page.locator(`.mo-Service[data-id="${id}"] [data-testid="mo-service-model"] a`);
      await link.waitFor({ state: 'visible', timeout: 30000 });
      assert.match(await link.innerText(), /model text_classifier_bayes version 1/);
      await link.click();
      await page.locator('#mo-model-text_classifier_bayes-1').waitFor({ state: 'visible' });
    });
  });

  it('compares two runs with different alpha: conf.alpha highlighted', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'platform-compare', async () => {
      const second = await server.api('mo/api/tasks', {
        method: 'POST',
        body: { name: 'bayes-alpha-2', module: 'mo/text_classifier_bayes', dataset: 'mo/text_zh_en',
                params: { alpha: 2.0 }, start: true }
      });
      const [first] = (await server.api('mo/api/tasks')).tasks.filter(t => t.id !== second.id);
      const ids = [first.last_job.id, second.last_job.id];
      assert.equal((await ended(server, ids[1], 120000)).state, 'completed');
      await showJobsSidebar(page);
      for (const id of ids) {
        await jobRow(page, id).locator('.mo-JobRow-select').check();
      }
      await page.locator('#mo-jobs-sidebar .mo-JobsSidebar-compare').click();
      const th = page.locator('.mo-ComparePanel .mo-CompareTable-table th[data-key="conf:alpha"]');
      await th.waitFor({ state: 'visible', timeout: 30000 });
      assert.match(await th.getAttribute('class'), /mo-mod-differs/);
      const same = page.locator('.mo-ComparePanel .mo-CompareTable-table th[data-key="module"]');
      assert.doesNotMatch((await same.getAttribute('class')) ?? '', /mo-mod-differs/);
      await page.locator('.mo-ComparePanel .mo-CompareChart[data-metric="accuracy"]').waitFor();
    });
  });

  it('opens the deploy wizard, model file picked, for a model no module predicts with', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'platform-wizard', async () => {
      fs.mkdirSync(path.join(server.root, 'weights'), { recursive: true });
      fs.writeFileSync(path.join(server.root, 'weights/net.onnx'), 'onnx bytes');
      await server.api('mo/api/models', { method: 'POST', body: { path: 'weights/net.onnx' } });
      const tab = await openModel(page, 'net', 1);
      await tab.locator('[data-testid="mo-model-deploy"]').click();
      await waitForScan(page);
      await gotoStep(page, 'next', 'handler');
      await gotoStep(page, 'next', 'params');
      await gotoStep(page, 'next', 'deploy');
      const file = page.locator(`${DEPLOY_WIZARD} [data-testid="mo-deploy-file-model"], ${DEPLOY_WIZARD} [data-testid="mo-deploy-file-model/net.onnx"]`);
      assert.equal(await file.first().isChecked(), true, 'the model file is picked');
    });
  });

  it("trains the seeds' MNIST CNN on docker as a task, deploys the model and reads a drawn digit", async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'platform-mnist', async () => {
      const task = await server.api('mo/api/tasks', {
        method: 'POST',
        body: { name: 'mnist-docker', module: 'mo/mnist_cnn', dataset: 'mo/mnist', backend: 'docker',
                machine: 'cpu', params: { epochs: 1 }, start: true }
      });
      const jobId = task.last_job.id;
      assert.equal((await server.api(`mo/api/jobs/${jobId}`)).backend, 'docker');
      const done = await ended(server, jobId, 300000);
      assert.equal(done.state, 'completed', JSON.stringify(done));
      const tab = await openModel(page, 'mnist_cnn', 1);
      assert.match(await tab.locator('.mo-ModelLineage').innerText(), /mo\/mnist\b/);
      const id = await deployFromTab(page, server, tab, 'mnist_cnn', 1);
      const text = await drawDigitAndRun(page, id);
      assert.match(text, /digit\D*[0-9]\b/, text);
    });
  });
});
