// A job on the docker backend, chosen in the Create job dialog: the machine list shows the
// image and limits, the job runs in a container and its chart fills live.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { useLab, waitForAttr } from './lib/browser.mjs';
import { openJobTab, submitCreateJobDialog, waitForJobState, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const BACKENDS = {
  local: {},
  docker: {
    machines: {
      cpu: { image: 'mo-jupyter/base:latest', cpus: 1, memory: '256m' },
      tf: { image: 'mo-jupyter/cpu:latest', cpus: 2, memory: '4g' }
    }
  }
};

describe('docker backend in the UI', () => {
  const lab = useLab(() =>
    startServer({
      name: 'docker',
      // the user's setting preselects the backend in the Create job dialog
      settings: { 'mo_jupyter/plugin.jupyterlab-settings': { defaultBackend: 'docker' } },
      extraArgs: [`--MoJupyterApp.backends=${JSON.stringify(BACKENDS)}`]
    })
  );

  it('creates a container job from the dialog and charts it live', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'docker-job', async () => {
      // not awaited: the command resolves when the dialog closes
      void page.evaluate(() => window.jupyterapp.commands.execute('mo:create-job', { path: 'metrics_stream.py' }));
      const dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-CreateJobForm') });
      await dialog.waitFor({ state: 'visible' });
      assert.equal(await dialog.locator('.mo-CreateJob-backend').inputValue(), 'docker');
      const machine = dialog.locator('.mo-CreateJob-machine option[value="cpu"]');
      assert.match(await machine.innerText(), /1 CPU, 256m, mo-jupyter\/base:latest/);
      const id = await submitCreateJobDialog(page, { path: 'metrics_stream.py', args: '--steps 300 --rate 60' });
      const job = await server.api(`mo/api/jobs/${id}`);
      assert.equal(job.backend, 'docker');
      assert.equal(job.command[0], 'python3');

      await waitForJobState(page, id, 'running', 60000);
      await openJobTab(page, id, 'metrics');
      const chart = `#mo-job-${id} .mo-MetricChart[data-metric="loss"]`;
      const first = Number(await waitForAttr(page, chart, 'data-points', v => Number(v) > 0, { timeout: 60000 }));
      await waitForAttr(page, chart, 'data-points', v => Number(v) > first, { timeout: 30000, label: 'more points' });
      await waitForJobState(page, id, 'completed', 60000);
      assert.equal(Number(await page.getAttribute(chart, 'data-points')), 300);
    });
  });

  it('trains the seeds\' MNIST CNN in a container; loss and accuracy fill per epoch', async () => {
    const { page, server } = lab;
    // the built-in dataset mo/mnist, inserted as the Datasets sidebar does: ./datasets/mo-mnist/
    const inserted = await server.api('mo/api/datasets/mo/mnist/insert', {
      method: 'POST',
      body: { notebook: 'coding_here.ipynb' }
    });
    assert.equal(inserted.target, 'datasets/mo-mnist');
    await withSnapshot(page, 'mnist-job', async () => {
      void page.evaluate(() => window.jupyterapp.commands.execute('mo:create-job', { path: 'mnist_cnn.py' }));
      const dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-CreateJobForm') });
      await dialog.waitFor({ state: 'visible' });
      await dialog.locator('.mo-CreateJob-backend').selectOption('docker');
      await dialog.locator('.mo-CreateJob-machine').selectOption('tf');
      const id = await submitCreateJobDialog(page, { path: 'mnist_cnn.py', args: '--epochs 3' });
      await openJobTab(page, id, 'metrics');
      await page.locator(`#mo-job-${id} .mo-MetricsPanel-xaxis`).selectOption('epoch');
      const loss = `#mo-job-${id} .mo-MetricChart[data-metric="loss"]`;
      const accuracy = `#mo-job-${id} .mo-MetricChart[data-metric="accuracy"]`;
      // live: the first epoch is charted while the job still runs
      await waitForAttr(page, loss, 'data-points', v => Number(v) >= 1, { timeout: 120000, label: 'epoch 1' });
      const state = await page.getAttribute(`#mo-job-${id} .mo-JobPanel`, 'data-state');
      assert.equal(state, 'running');
      await waitForJobState(page, id, 'completed', 180000);
      assert.equal(Number(await page.getAttribute(loss, 'data-points')), 3);
      assert.equal(Number(await page.getAttribute(accuracy, 'data-points')), 3);
      const metrics = (await server.api(`mo/api/jobs/${id}/metrics`)).metrics;
      const test = metrics.find(m => m.metric === 'test_accuracy');
      assert.ok(test.value > 0.9, `test accuracy after 3 epochs: ${test.value}`);
    });
  });
});
