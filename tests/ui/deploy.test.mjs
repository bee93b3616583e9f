// The deploy wizard's first step in the browser (seeds: "插入 handle 函数"): the command inserts
// Mo's handle(conf) template below the active cell; saved, the server's parser reads its inputs and
// outputs from the notebook without running it, and the cell runs in the kernel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fs from 'node:fs';
import path from 'node:path';

import { execute, useLab } from './lib/browser.mjs';
import { createNotebook, notebookCells, openNotebook } from './lib/catalog.mjs';
import { WIZARD, gotoStep, openDeployWizard, waitForScan, wizardCells } from './lib/deploy.mjs';
import { dismissToasts, waitForToast, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const NB = 'deploy_demo.ipynb';

/** Fill x in the test page inside `frameSel`, press Run and wait for the output to match `expect`. */
async function runInTestPage(page, frameSel, x, expect) {
  const frame = page.frameLocator(frameSel);
  await frame.locator('input[name="x"]').fill(x);
  await frame.locator('button.run').click();
  await frame.locator('#st').filter({ hasText: /^200 in/ }).waitFor({ timeout: 30000 });
  assert.match(await frame.locator('.o').first().innerText(), expect);
}

/** From inside the test page: Jupyter's API, cookies and the lab's window are out of reach. */
async function assertNoJupyterRights(page, frameSel) {
  const handle = await page.locator(frameSel).elementHandle();
  const frame = await handle.contentFrame();
  const seen = await frame.evaluate(async () => {
    const out = { origin: self.origin };
    for (const url of ['/api/contents', '/mo/api/services', '/api/sessions']) {
      try {
        const r = await fetch(url);
        out[url] = r.status;
      } catch (err) {
        out[url] = 'blocked';
      }
    }
    try {
      out.cookie = document.cookie;
    } catch (err) {
      out.cookie = 'blocked';
    }
    try {
      out.parent = typeof window.parent.jupyterapp;
    } catch (err) {
      out.parent = 'blocked';
    }
    return out;
  });
  assert.equal(seen.origin, 'null', JSON.stringify(seen));
  for (const url of ['/api/contents', '/mo/api/services', '/api/sessions']) {
    assert.ok(seen[url] === 'blocked' || seen[url] >= 400, `${url} from the test page: ${JSON.stringify(seen)}`);
  }
  assert.equal(seen.cookie, 'blocked');
  assert.equal(seen.parent, 'blocked');
}

describe('deploy: the handle function', () => {
  const lab = useLab(() => startServer({ name: 'deploy' }), {
    prepare: server => createNotebook(server, NB, ['import math']),
    ready: ({ page }) => openNotebook(page, NB)
  });

  it('inserts the handle template, which the parser reads and the kernel runs', async () => {
    const { page, server } = lab;
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
      const scanErrors = scan.problems.filter(p => p.severity === 'error');
      assert.deepEqual(scanErrors, [], `scan errors: ${JSON.stringify(scanErrors)}`);
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
      const errors = page.errors.filter(e => !/favicon/.test(e));
      assert.deepEqual(errors, [], `console errors: ${JSON.stringify(errors)}`);
    });
  });
});

// The wizard (seeds: "准备部署文件", "部署应用项目", "测试项目"): select cells -> handler.py -> inputs
// and outputs -> app_spec.yml, write the files, deploy and open the test page.
describe('deploy: the wizard', () => {
  const WNB = 'wizard_demo.ipynb';
  // the services deployed here outlive the Jupyter server: server.stop() deletes them
  const lab = useLab(() => startServer({ name: 'deploy-wizard' }), {
    prepare: async server => {
      const { source } = await server.api('mo/api/handle/template');
      await createNotebook(server, WNB, ['import math', '%matplotlib inline\nscale = 2', source]);
      fs.mkdirSync(path.join(server.root, 'results'), { recursive: true });
      fs.writeFileSync(path.join(server.root, 'results', 'my_model.txt'), 'weights');
    },
    ready: ({ page }) => openNotebook(page, WNB)
  });

  it('selects cells, previews handler.py, edits an input and writes the files', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'deploy-wizard', async () => {
      await openDeployWizard(page);
      // default selection: the handle cell and the imports it uses (none here: `math` is unused);
      // the magic cell flagged, not selected
      let cells = await wizardCells(page);
      assert.deepEqual(cells.map(c => [c.index, c.selected, c.magic, c.hasMagicBadge]), [
        [0, false, false, false],
        [1, false, true, true],
        [2, true, false, false]
      ]);
      // selecting the import and the magic cell scans again with them
      await page.locator(`${WIZARD} [data-testid="mo-deploy-cell-0-check"]`).check();
      await waitForScan(page);
      await page.locator(`${WIZARD} [data-testid="mo-deploy-cell-1-check"]`).check();
      await waitForScan(page);
      cells = await wizardCells(page);
      assert.deepEqual(cells.map(c => c.selected), [true, true, true]);
      const warnings = await page.locator(`${WIZARD} [data-testid="mo-deploy-scan-problems"]`).innerText();
      assert.match(warnings, /%matplotlib inline/);

      await gotoStep(page, 'next', 'handler');
      const handler = await page.locator(`${WIZARD} [data-testid="mo-deploy-handler-text"]`).inputValue();
      assert.match(handler, /# --- notebook cell 1 ---\nimport math/);
      assert.match(handler, /# --- notebook cell 2 ---\n# \[mo handler\] not run in a deployed app: %matplotlib inline\nscale = 2/);
      assert.match(handler, /# --- notebook cell 3 ---\ndef handle\(conf\):/);

      await gotoStep(page, 'next', 'params');
      const x = page.locator(`${WIZARD} [data-testid="mo-deploy-input-x"]`);
      assert.equal(await x.locator('[data-testid="mo-deploy-input-x-type"]').inputValue(), 'float');
      assert.equal(await x.locator('[data-testid="mo-deploy-input-x-range"]').inputValue(), '>=0');
      await page.locator(`${WIZARD} [data-testid="mo-deploy-output-y"]`).waitFor();
      // a bad range blocks Next, a good one does not
      await x.locator('[data-testid="mo-deploy-input-x-range"]').fill('big');
      assert.equal(await page.locator(`${WIZARD} [data-testid="mo-deploy-next"]`).isDisabled(), true);
      await x.locator('[data-testid="mo-deploy-input-x-range"]').fill('0-100');
      await x.locator('[data-testid="mo-deploy-input-x-description"]').fill('数 to double, edited in the wizard');
      await gotoStep(page, 'next', 'deploy');
      const yaml = await page.locator(`${WIZARD} [data-testid="mo-deploy-yaml"]`).innerText();
      assert.match(yaml, /description: 数 to double, edited in the wizard/);
      assert.match(yaml, /value_range: 0-100/);
      // results/* offered; checked only when the handle reads it (the template's handle does not)
      assert.equal(await page.locator(`${WIZARD} [data-testid="mo-deploy-file-results/my_model.txt"]`).isChecked(), false);

      await page.locator(`${WIZARD} [data-testid="mo-deploy-write"]`).click();
      await page.waitForSelector(`${WIZARD} [data-testid="mo-deploy-status"][data-kind="success"]`);
      const spec = fs.readFileSync(path.join(server.root, 'app_spec.yml'), 'utf8');
      assert.match(spec, /description: 数 to double, edited in the wizard/);
      assert.match(spec, /value_range: 0-100/);
      const py = fs.readFileSync(path.join(server.root, 'handler.py'), 'utf8');
      assert.equal(py, handler, 'handler.py on disk is the preview');
      const label = await page.locator(`${WIZARD} [data-testid="mo-deploy-yaml-label"]`).innerText();
      assert.match(label, /as written/);

      // writing again asks before replacing
      await page.locator(`${WIZARD} [data-testid="mo-deploy-write"]`).click();
      const dialog = page.locator('.jp-Dialog', { hasText: 'Replace handler.py and app_spec.yml?' });
      await dialog.waitFor();
      await dialog.locator('.jp-Dialog-button.jp-mod-warn').click();
      await page.waitForSelector(`${WIZARD} [data-testid="mo-deploy-status"][data-kind="success"]`);
      // the 409 that asked is expected
      assert.deepEqual(page.errors.filter(e => !/favicon|409 \(Conflict\)/.test(e)), []);
    });
  });

  it('deploys and opens the test page (or says the service is not there)', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'deploy-wizard-deploy', async () => {
      const probe = await server.api('mo/api/services', { raw: true });
      await page.locator(`${WIZARD} [data-testid="mo-deploy-version-dev"]`).check();
      // the service is named after the notebook (two notebooks, two services)
      assert.equal(await page.locator(`${WIZARD} [data-testid="mo-deploy-name"]`).inputValue(), 'wizard_demo');
      await page.locator(`${WIZARD} [data-testid="mo-deploy-deploy"]`).click();
      if (probe.status === 404) {
        const status = page.locator(`${WIZARD} [data-testid="mo-deploy-status"][data-kind="error"]`);
        await status.waitFor();
        assert.match(await status.innerText(), /Deployment service not available on this server/);
        return;
      }
      await waitForToast(page, /Deployed /, 90000);
      // deploying again would replace it: the step says so before Deploy
      await page
        .locator(`${WIZARD} [data-testid="mo-deploy-replaces"]`)
        .filter({ hasText: 'A service named wizard_demo-dev is running; deploying replaces it (same address).' })
        .waitFor({ state: 'attached', timeout: 30000 });
      const frame = page.locator('.mo-TestPage iframe');
      await frame.waitFor({ timeout: 60000 });
      const src = await frame.getAttribute('src');
      assert.match(src, /mo\/api\/services\/[^/]+\/proxy\/(\?lang=[\w-]+)?#key=[A-Za-z0-9_-]{32}$/);
      // the app's page runs with an opaque origin: no allow-same-origin, so none of Jupyter's rights
      const sandbox = (await frame.getAttribute('sandbox')).split(/\s+/);
      assert.ok(sandbox.includes('allow-scripts') && !sandbox.includes('allow-same-origin'), sandbox.join(' '));
      const proxied = await server.api(src.replace(/#.*$/, '').replace(/^\//, '').replace(/^https?:\/\/[^/]+\//, ''), { raw: true });
      assert.match(
        proxied.headers.get('content-type') ?? '',
        /text\/html/,
        'the proxy must serve the test page as text/html (the iframe shows it as text otherwise)'
      );
      const form = page.frameLocator('.mo-TestPage iframe').locator('form');
      await form.first().waitFor({ timeout: 60000 });
      assert.match(await page.frameLocator('.mo-TestPage iframe').locator('body').innerText(), /x/);
      await runInTestPage(page, '.mo-TestPage iframe', '21', /\b42\b/);
      await assertNoJupyterRights(page, '.mo-TestPage iframe');
      await dismissToasts(page);
    });
  });
  it('operates a service from the Deploy sidebar: stop, start, replicas, logs, test page, delete', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'deploy-services', async () => {
      // handler.py + app_spec.yml were written by the wizard test above
      const svc = await server.api('mo/api/services', { method: 'POST', body: { name: 'sidebar-demo', version: 'prod' } });
      const row = `#mo-deploy-sidebar .mo-Service[data-id="${svc.id}"]`;
      await execute(page, 'mo:open-deploy');
      await page.locator(`${row}[data-state="running"]`).waitFor({ timeout: 60000 });
      await dismissToasts(page);

      await page.locator(`${row} [data-testid="mo-service-stop"]`).click();
      await page.locator(`${row}[data-state="stopped"]`).waitFor({ timeout: 30000 });
      assert.equal((await server.api(`mo/api/services/${svc.id}`)).replicas, 0);
      await page.locator(`${row} [data-testid="mo-service-start"]`).click();
      await page.locator(`${row}[data-state="running"]`).waitFor({ timeout: 60000 });
      const again = await server.api(`mo/api/services/${svc.id}`);
      assert.equal(again.port, svc.port, 'the same address after a restart');

      const replicas = page.locator(`${row} [data-testid="mo-service-replicas"]`);
      await replicas.fill('2');
      await replicas.press('Enter');
      await waitForToast(page, new RegExp(`${svc.id} now has 2 replica`));
      assert.equal((await server.api(`mo/api/services/${svc.id}`)).replicas, 2);
      // Stop, then Start: both replicas come back
      await page.locator(`${row} [data-testid="mo-service-stop"]`).click();
      await page.locator(`${row}[data-state="stopped"]`).waitFor({ timeout: 30000 });
      await page.locator(`${row} [data-testid="mo-service-start"]`).click();
      await page.locator(`${row}[data-state="running"]`).waitFor({ timeout: 60000 });
      assert.equal((await server.api(`mo/api/services/${svc.id}`)).running_replicas, 2);

      await page.locator(`${row} [data-testid="mo-service-logs-button"]`).click();
      const logs = page.locator('.jp-Dialog [data-testid="mo-service-logs"]');
      await logs.waitFor();
      assert.match(await logs.innerText(), /serving/);
      await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();

      // Key required: the app refuses callers without the key; the Test tab still runs (it sends it)
      await page.locator(`${row} [data-testid="mo-service-protected"]`).check();
      await waitForToast(page, new RegExp(`${svc.id} now asks for its key`));
      await page.locator(`${row}[data-state="running"]`).waitFor({ timeout: 60000 });
      const keyed = await server.api(`mo/api/services/${svc.id}`);
      assert.equal(keyed.protected, true);
      // its replicas restart with the key: wait for them, then they refuse a caller without it
      const deadline = Date.now() + 60000;
      let direct = null;
      while (Date.now() < deadline) {
        direct = await fetch(`http://127.0.0.1:${keyed.port}/api/spec`).catch(() => null);
        if (direct?.status === 401) {
          break;
        }
        await new Promise(resolve => setTimeout(resolve, 200));
      }
      assert.equal(direct?.status, 401, 'a protected app refuses a caller without its key');
      await page.locator(`${row}[data-state="running"]`).waitFor({ timeout: 60000 });
      await page.locator(`${row}[data-state="running"] [data-testid="mo-service-test"]`).click();
      await page.frameLocator(`#mo-testpage-${svc.id} iframe`).locator('form').first().waitFor({ timeout: 60000 });
      await runInTestPage(page, `#mo-testpage-${svc.id} iframe`, '4', /\b8\b/);

      await page.locator(`${row} [data-testid="mo-service-delete"]`).click();
      await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-warn').click();
      await page.locator(row).waitFor({ state: 'detached', timeout: 30000 });
      const gone = await server.api(`mo/api/services/${svc.id}`, { raw: true });
      assert.equal(gone.status, 404);
      // a deleted service's Test tab closes
      await page.locator(`#mo-testpage-${svc.id}`).waitFor({ state: 'detached', timeout: 10000 });

      // the wizard's service: deleted from the list, its Test tab closes and the wizard's status clears
      const wizardRow = '#mo-deploy-sidebar .mo-Service[data-id="wizard_demo-dev"]';
      if ((await server.api('mo/api/services/wizard_demo-dev', { raw: true })).status === 200) {
        await page.locator(`${WIZARD} [data-testid="mo-deploy-status"]`).waitFor({ state: 'attached' });
        await page.locator(`${wizardRow} [data-testid="mo-service-delete"]`).click();
        await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-warn').click();
        await page.locator(wizardRow).waitFor({ state: 'detached', timeout: 30000 });
        await page.locator('#mo-testpage-wizard_demo-dev').waitFor({ state: 'detached', timeout: 10000 });
        await page.locator(`${WIZARD} [data-testid="mo-deploy-status"]`).waitFor({ state: 'detached', timeout: 10000 });
      }
    });
  });
});
