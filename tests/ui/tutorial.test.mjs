// The seeds' tutorial end to end on the mnist template's project (deploy_mnist.ipynb): insert the
// mnist dataset, train mnist_cnn.py for 1 epoch as a docker job, turn the notebook's handle into
// handler.py + app_spec.yml in the Deploy wizard and deploy it on the docker machine with the
// TensorFlow image and the model; on the test page the wizard opens, draw a digit, get one back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { execute, useLab } from './lib/browser.mjs';
import { openNotebook } from './lib/catalog.mjs';
import { WIZARD, drawDigitAndRun, gotoStep, openDeployWizard, wizardCells } from './lib/deploy.mjs';
import { withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const BACKENDS = {
  local: {},
  docker: { machines: { cpu: { image: 'mo-jupyter/cpu:latest', cpus: 2, memory: '4g' } } }
};

async function until(fn, timeoutMs, label) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${label}`);
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

describe('the seeds\' tutorial: train, deploy, draw a digit', () => {
  // server.stop() deletes the deployed service (it outlives the Jupyter server)
  const lab = useLab(() =>
    startServer({
      name: 'tutorial',
      extraArgs: [`--MoJupyterApp.backends=${JSON.stringify(BACKENDS)}`]
    })
  );

  it('trains for 1 epoch, deploys the handle on docker and recognises a drawn digit', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'tutorial', async () => {
      const api = (p, init) => server.api(p, init);
      const inserted = await api('mo/api/datasets/mo/mnist/insert', { method: 'POST', body: { notebook: 'deploy_mnist.ipynb' } });
      assert.equal(inserted.target, 'datasets/mo-mnist');

      const job = await api('mo/api/jobs', {
        method: 'POST',
        body: { path: 'mnist_cnn.py', args: ['--epochs', '1'], backend: 'docker', machine: 'cpu' }
      });
      const done = await until(async () => {
        const j = await api(`mo/api/jobs/${job.id}`);
        return ['completed', 'failed', 'stopped'].includes(j.state) ? j : null;
      }, 240000, 'the training job');
      assert.equal(done.state, 'completed', JSON.stringify(done));

      const scan = await api('mo/api/handle/scan', { method: 'POST', body: { path: 'deploy_mnist.ipynb' } });
      assert.deepEqual(Object.keys(scan.spec.input), ['img']);
      assert.equal(scan.spec.output.digit.value_type, 'int');

      // the wizard: default cells (imports + handle), inputs/outputs, then run it on the
      // docker machine with the TensorFlow image, taking the trained model along
      await openNotebook(page, 'deploy_mnist.ipynb');
      await openDeployWizard(page);
      const cells = await wizardCells(page);
      assert.deepEqual(cells.filter(c => c.selected).map(c => c.index), [1, 2]);
      await gotoStep(page, 'next', 'handler');
      await gotoStep(page, 'next', 'params');
      await gotoStep(page, 'next', 'deploy');
      await page.locator(`${WIZARD} [data-testid="mo-deploy-target"]`).selectOption('docker/cpu');
      const model = page.locator(`${WIZARD} [data-testid="mo-deploy-file-results/my_model.keras"]`);
      if (await model.count()) {
        await model.check();
      } else {
        await page.locator(`${WIZARD} [data-testid="mo-deploy-file-results"]`).check();
      }
      await page.locator(`${WIZARD} [data-testid="mo-deploy-deploy"]`).click();
      const services = await until(async () => {
        const { services } = await api('mo/api/services');
        return services.length ? services : null;
      }, 60000, 'the deployed service');
      const svc = services[0];
      assert.equal(svc.backend, 'docker');
      assert.equal(svc.machine, 'cpu');
      assert.deepEqual(svc.trained_by.map(t => [t.file, t.job]), [['results/my_model.keras', job.id]]);

      // the wizard opens the test page once the service runs (TensorFlow loads in the container):
      // draw a "1", Run, get a digit
      const text = await drawDigitAndRun(page, svc.id);
      assert.match(text, /digit\D*[0-9]\b/, text);
      assert.match(text, /confidence/, text);

      // the Deploy sidebar's Services list says which job trained the served model
      await execute(page, 'mo:open-deploy');
      const trained = page.locator(`#mo-deploy-sidebar .mo-Service[data-id="${svc.id}"] [data-testid="mo-service-trained-by"]`);
      await trained.first().waitFor({ timeout: 30000 });
      assert.match(await trained.first().innerText(), new RegExp(`results/my_model\\.keras from job .*${job.id}`));
    });
  });
});
