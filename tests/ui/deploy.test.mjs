// The deploy wizard's first step in the browser (seeds: "插入 handle 函数"): the command inserts
// Mo's handle(conf) template below the active cell; saved, the server's parser reads its inputs and
// outputs from the notebook without running it, and the cell runs in the kernel.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { execute, launchBrowser, openLab } from './lib/browser.mjs';
import { createNotebook, notebookCells, openNotebook } from './lib/catalog.mjs';
import { waitForToast, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const NB = 'deploy_demo.ipynb';

describe('deploy: the handle function', () => {
  let server;
  let browser;
  let page;

  before(async () => {
    server = await startServer({ name: 'deploy' });
    await createNotebook(server, NB, ['import math']);
    browser = await launchBrowser();
    page = await openLab(browser, server);
    await openNotebook(page, NB);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('inserts the handle template, which the parser reads and the kernel runs', async () => {
    await withSnapshot(page, 'deploy-insert-handle', async () => {
      await execute(page, 'mo:insert-handle');
      await waitForToast(page, /Inserted the handle function/);
      const nb = await notebookCells(page, NB);
      assert.equal(nb.cells.length, 2);
      assert.equal(nb.active, 1);
      assert.match(nb.cells[1].source, /^def handle\(conf\):/);
      assert.match(nb.cells[1].source, /# value_type: float/);

      await execute(page, 'docmanager:save');
      await page.waitForFunction(() => !window.jupyterapp.shell.currentWidget.context.model.dirty);
      const scan = await server.api('mo/api/handle/scan', { method: 'POST', body: { path: NB } });
      assert.equal(scan.handle_cell, 1);
      assert.deepEqual(scan.problems.filter(p => p.severity === 'error'), []);
      assert.equal(scan.spec.input.x.value_type, 'float');
      assert.equal(scan.spec.output.y.value_type, 'float');

      // the cell defines handle in the kernel; calling it doubles x
      await page.evaluate(() => {
        const panel = window.jupyterapp.shell.currentWidget;
        panel.content.widgets[1].model.sharedModel.setSource(
          panel.content.widgets[1].model.sharedModel.getSource() + "\nprint('result', handle({'x': 21}))"
        );
      });
      await execute(page, 'notebook:run-cell');
      await page.waitForFunction(
        () => window.jupyterapp.shell.currentWidget.content.widgets[1].model.outputs.length > 0,
        undefined,
        { timeout: 90000 }
      );
      const ran = await notebookCells(page, NB);
      assert.match(ran.cells[1].outputs, /result \{'y': 42\}/);
      assert.deepEqual(page.errors.filter(e => !/favicon/.test(e)), []);
    });
  });
});
