// The seeds' whole tutorial on the demo exactly as `bash .ci/demo` starts it (local backend,
// TensorFlow from mo_jupyter[examples]), driven as a newcomer would: the Datasets sidebar inserts
// mnist into deploy_mnist.ipynb, the file browser's "Create Job…" trains mnist_cnn.py for one epoch,
// the notebook's Deploy… button opens the wizard, whose default selections deploy the handle;
// on the test page a drawn digit comes back as a digit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { useLab } from './lib/browser.mjs';
import { waitForDetails, searchSidebar } from './lib/catalog.mjs';
import { WIZARD, drawDigitAndRun, gotoStep, waitForScan, wizardCells } from './lib/deploy.mjs';
import { startDemo } from './lib/demo.mjs';
import {
  fileItem,
  showFileBrowser,
  submitCreateJobDialog,
  waitForJobState,
  waitForToast,
  withSnapshot
} from './lib/lab.mjs';

const NB = 'deploy_mnist.ipynb';

describe('the demo as .ci/demo starts it: the seeds\' tutorial from dataset to drawn digit', () => {
  const lab = useLab(() => startDemo({ name: 'demo-walk' }));

  it('inserts mnist, trains the CNN for 1 epoch, deploys with the defaults, recognises a digit', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'demo-walk', async () => {
      // the project the demo made: the tutorial notebook, the training script
      await showFileBrowser(page);
      await fileItem(page, NB).dblclick();
      await page.waitForFunction(p => {
        const w = window.jupyterapp.shell.currentWidget;
        return w?.context?.path === p && w.context.isReady && w.content?.widgets?.length > 0;
      }, NB);

      // 1. the dataset, from the Datasets sidebar into this notebook
      const sidebar = await searchSidebar(page, 'datasets', 'mnist');
      await sidebar.locator('.mo-DatasetRow[data-id="mo/mnist"]').click();
      const details = await waitForDetails(page, 'dataset', 'mo/mnist');
      await details.locator('[data-testid="mo-dataset-insert"]').click();
      await waitForToast(page, /mo\/mnist.*datasets\/mo-mnist|datasets\/mo-mnist/);

      // 2. train: right-click mnist_cnn.py -> Create Job… -> one epoch, on the default backend
      await showFileBrowser(page);
      const script = fileItem(page, 'mnist_cnn.py');
      await script.click();
      await script.click({ button: 'right' });
      await page.locator('.lm-Menu .lm-Menu-item[data-command="mo:create-job"]').click();
      const id = await submitCreateJobDialog(page, { path: 'mnist_cnn.py', args: '--epochs 1' });
      const job = await server.api(`mo/api/jobs/${id}`);
      assert.equal(job.backend, 'local', 'the demo runs jobs on the local backend');
      await waitForJobState(page, id, 'completed', 300000);

      // 3. deploy from the notebook's toolbar with the wizard's default selections
      await page.evaluate(p => {
        const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context?.path === p);
        window.jupyterapp.shell.activateById(w.id);
      }, NB);
      await page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .mo-DeployButton').click();
      await waitForScan(page);
      const cells = await wizardCells(page);
      assert.ok(cells.some(c => c.selected), 'the handle cell is selected by default');
      await gotoStep(page, 'next', 'handler');
      await gotoStep(page, 'next', 'params');
      await gotoStep(page, 'next', 'deploy');
      const target = await page.locator(`${WIZARD} [data-testid="mo-deploy-target"]`).inputValue();
      assert.match(target, /^local\b/, `default target ${target}`);
      const model = page.locator(`${WIZARD} [data-testid="mo-deploy-file-results/my_model.keras"]`);
      assert.equal(await model.isChecked(), true, 'the model the handle loads is picked by default');
      await page.locator(`${WIZARD} [data-testid="mo-deploy-deploy"]`).click();

      // 4. the wizard opens the test page once the service runs: draw a "1", Run, get a digit
      let services = [];
      for (const deadline = Date.now() + 60000; !services.length && Date.now() < deadline; ) {
        ({ services } = await server.api('mo/api/services'));
        await page.waitForTimeout(250);
      }
      assert.equal(services.length, 1, 'the wizard deployed one service');
      const svc = services[0];
      assert.equal(svc.backend, 'local');
      const text = await drawDigitAndRun(page, svc.id);
      assert.match(text, /digit\D*[0-9]\b/, text);
    });
  });
});
