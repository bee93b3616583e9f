// Modules and datasets in the browser (seed 001): search "iris", open
// iris_classifier's details, choose a version, Insert into the open notebook
// and run the new cell in the kernel; a second insert of another version
// asks before replacing; search "mnist" and insert the dataset. Light / dark
// screenshots of the module details.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab } from './lib/browser.mjs';
import {
  createNotebook,
  makeCatalogDir,
  notebookCells,
  openNotebook,
  searchSidebar,
  startCatalogServer,
  waitForDetails
} from './lib/catalog.mjs';
import { dismissToasts, fileItem, luminance, showFileBrowser, waitForToast, withSnapshot } from './lib/lab.mjs';
import { OUTPUT, REPO } from './lib/server.mjs';

const IMG = process.env.MO_UI_SCREENSHOTS === 'docs' ? path.join(REPO, 'docs/img') : OUTPUT;
const BUILTIN_IRIS = path.join(REPO, 'mo_jupyter/catalog/builtin/modules/mo/iris_classifier/1.0.0');
const NB = 'iris_demo.ipynb';

/** An older iris_classifier (0.9.0) in the user catalog: the versions dropdown has two entries. */
function addOldIris(catalogDir) {
  const dest = path.join(catalogDir, 'modules/mo/iris_classifier/0.9.0');
  fs.cpSync(BUILTIN_IRIS, dest, { recursive: true });
  const spec = path.join(dest, 'module_spec.yml');
  fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace(/^version: .*$/m, 'version: 0.9.0'));
  fs.writeFileSync(path.join(dest, 'README.md'), '# iris_classifier 0.9.0\n\nThe **older** release (marker: old-iris-readme).\n');
}

describe('catalog', () => {
  const lab = useLab(
    () => {
      fs.mkdirSync(IMG, { recursive: true });
      const catalogDir = makeCatalogDir();
      addOldIris(catalogDir);
      return startCatalogServer({ name: 'catalog', catalogDir });
    },
    { prepare: server => createNotebook(server, NB, ['print("first cell")']) }
  );

  it('searches "iris", shows the details, inserts a chosen version and runs the cell', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'catalog-module', async () => {
      await openNotebook(page, NB);
      const sidebar = await searchSidebar(page, 'modules', 'iris');
      const row = sidebar.locator('.mo-ModuleRow[data-id="mo/iris_classifier"]');
      await row.waitFor({ state: 'visible' });
      assert.match(await row.innerText(), /1\.0\.0/, 'the latest version in the row');
      assert.match(await row.locator('.mo-Badge-catalog').innerText(), /builtin/);
      await row.click();

      const details = await waitForDetails(page, 'module', 'mo/iris_classifier');
      const readme = details.locator('[data-testid="mo-module-readme"][data-rendered="true"]');
      await readme.waitFor({ state: 'visible' });
      assert.match(await readme.innerText(), /iris/i);
      // the README is rendered markdown, not raw text
      assert.ok((await readme.locator('h1, h2, p').count()) > 0, 'README rendered as HTML');
      const predict = details.locator('.mo-ModuleParams[data-action="predict"] .mo-ParamTable').first();
      await predict.waitFor({ state: 'visible' });
      const sepal = predict.locator('tr[data-param="sepal_length"]');
      assert.match(await sepal.innerText(), /float/);
      assert.match(await sepal.locator('.mo-ParamTable-default').innerText(), /^5\.1$/);
      assert.match(await sepal.innerText(), /\[4,8\]|\[4\.0,8\.0\]|\[4, 8\]/);

      // choose the older version: the details are fetched again
      const select = details.locator('[data-testid="mo-module-version"]');
      assert.deepEqual(await select.locator('option').evaluateAll(o => o.map(x => x.value)), ['1.0.0', '0.9.0']);
      await select.selectOption('0.9.0');
      await page.waitForSelector(`#${await details.getAttribute('id')} .mo-ModuleDetails-content[data-version="0.9.0"]`);
      await details.locator('[data-testid="mo-module-readme"]', { hasText: 'old-iris-readme' }).waitFor();
      // and back to 1.0.0, the one to insert
      await select.selectOption('1.0.0');
      await page.waitForSelector(`#${await details.getAttribute('id')} .mo-ModuleDetails-content[data-version="1.0.0"]`);
      await details.locator('[data-testid="mo-module-readme"]', { hasText: 'old-iris-readme' }).waitFor({ state: 'detached' });

      const before = await notebookCells(page, NB);
      assert.equal(before.cells.length, 1);
      await details.locator('[data-testid="mo-module-insert"]').click();
      const toast = await waitForToast(page, /Inserted mo\/iris_classifier 1\.0\.0 into modules\/iris_classifier/);
      assert.doesNotMatch(toast, /Cannot/);
      const after = await notebookCells(page, NB);
      assert.equal(after.cells.length, 2, 'one new cell');
      assert.equal(after.active, 1, 'inserted below the active cell and selected');
      const cell = after.cells[1];
      assert.equal(cell.type, 'code');
      assert.match(cell.source, /from modules\.iris_classifier\.main import IrisClassifier/);
      assert.ok(fs.existsSync(path.join(server.root, 'modules/iris_classifier/main.py')), 'module copied');

      // run the inserted cell in the kernel: the prediction shows the species
      await page.evaluate(p => {
        const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context?.path === p);
        window.jupyterapp.shell.activateById(w.id);
      }, NB);
      await page.waitForFunction(p => window.jupyterapp.shell.currentWidget?.context?.path === p, NB);
      await execute(page, 'notebook:run-cell');
      await page.waitForFunction(
        p => {
          const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context?.path === p);
          return w.content.widgets[1].model.outputs.length > 0;
        },
        NB,
        { timeout: 90000 }
      );
      const ran = await notebookCells(page, NB);
      assert.ok(!ran.cells[1].outputTypes.includes('error'), `the cell ran without error: ${ran.cells[1].outputs}`);
      assert.match(ran.cells[1].outputs, /'species': 'setosa'/);
    });
  });

  it('asks before replacing the inserted module with another version', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'catalog-replace', async () => {
      await execute(page, 'mo:open-module', { id: 'mo/iris_classifier' });
      const details = await waitForDetails(page, 'module', 'mo/iris_classifier');
      await details.locator('[data-testid="mo-module-version"]').selectOption('0.9.0');
      await page.waitForSelector(`#${await details.getAttribute('id')} .mo-ModuleDetails-content[data-version="0.9.0"]`);
      await dismissToasts(page);
      await details.locator('[data-testid="mo-module-insert"]').click();
      const dialog = page.locator('.jp-Dialog');
      await dialog.waitFor({ state: 'visible' });
      const text = await dialog.innerText();
      assert.match(text, /Replace modules\/iris_classifier \(holds mo\/iris_classifier 1\.0\.0\)\?/);
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await waitForToast(page, /Inserted mo\/iris_classifier 0\.9\.0 into modules\/iris_classifier/);
      const marker = JSON.parse(fs.readFileSync(path.join(server.root, 'modules/iris_classifier/.mo_module.json'), 'utf8'));
      assert.equal(marker.version, '0.9.0');
      const cells = await notebookCells(page, NB);
      assert.equal(cells.cells.length, 3);
    });
  });

  it('searches "mnist" and inserts the dataset next to the notebook', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'catalog-dataset', async () => {
      const sidebar = await searchSidebar(page, 'datasets', 'mnist');
      const row = sidebar.locator('.mo-DatasetRow[data-id="mo/mnist"]');
      await row.waitFor({ state: 'visible' });
      assert.equal(await row.getAttribute('data-status'), 'online');
      assert.match(await row.innerText(), /npz/);
      await row.click();
      const details = await waitForDetails(page, 'dataset', 'mo/mnist');
      assert.match(await details.locator('[data-testid="mo-dataset-meta"]').innerText(), /Independent test set/);
      assert.equal(await details.locator('[data-testid="mo-dataset-check"]').getAttribute('data-ok'), 'true');
      // a built-in dataset has no management actions
      assert.equal(await details.locator('[data-testid="mo-dataset-delete"]').count(), 0);
      await dismissToasts(page);
      const before = (await notebookCells(page, NB)).cells.length;
      await details.locator('[data-testid="mo-dataset-insert"]').click();
      // a fresh project: no question asked, the files are linked in at once
      await waitForToast(page, /Inserted dataset mo\/mnist into datasets\/mo-mnist/);
      assert.equal(await page.locator('.jp-Dialog').count(), 0);
      const after = await notebookCells(page, NB);
      assert.equal(after.cells.length, before + 1);
      assert.match(after.cells[after.active].source, /np\.load\(data_dir/);
      assert.ok(fs.existsSync(path.join(server.root, 'datasets/mo-mnist/mnist.npz')));
      assert.ok(fs.existsSync(path.join(server.root, 'datasets/mo-mnist/.mo_dataset.json')), 'inserted by mo_jupyter');

      // the file browser shows it
      await showFileBrowser(page);
      await execute(page, 'filebrowser:go-to-path', { path: 'datasets' });
      await fileItem(page, 'mo-mnist').waitFor({ state: 'visible' });
      await execute(page, 'filebrowser:go-to-path', { path: '' });
      assert.deepEqual(page.errors.filter(e => !/favicon|409/.test(e)), []);
    });
  });

  it('publishes a project folder from the file browser menu; a broken one lists its problems', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'catalog-publish', async () => {
      const owner = (await server.api('mo/api/catalog')).owner;
      fs.cpSync(BUILTIN_IRIS, path.join(server.root, 'my_iris'), { recursive: true });
      const spec = path.join(server.root, 'my_iris/module_spec.yml');
      fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace(/^owner: .*\n/m, ''));
      fs.mkdirSync(path.join(server.root, 'broken_module'));
      fs.writeFileSync(path.join(server.root, 'broken_module/module_spec.yml'), 'name: broken_module\nversion: one\n');
      await showFileBrowser(page);
      await execute(page, 'filebrowser:go-to-path', { path: '' });
      await execute(page, 'filebrowser:refresh');

      const publishFrom = async name => {
        const item = fileItem(page, name);
        await item.waitFor({ state: 'visible' });
        await item.click();
        await item.click({ button: 'right' });
        const entry = page.locator('.lm-Menu .lm-Menu-item[data-command="mo:publish-module"]');
        await entry.waitFor({ state: 'visible' });
        assert.match(await entry.innerText(), /Publish as Module/);
        await entry.click();
        const dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-PublishForm') });
        await dialog.waitFor({ state: 'visible' });
        assert.match(await dialog.innerText(), new RegExp(name));
        await dialog.locator('.mo-PublishForm-permission').selectOption('public');
        await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
        await dialog.waitFor({ state: 'detached' });
      };

      await publishFrom('broken_module');
      const problems = page.locator('.jp-Dialog', { has: page.locator('.mo-ProblemList') });
      await problems.waitFor({ state: 'visible' });
      const text = await problems.innerText();
      assert.match(text, /version/);
      assert.match(text, /README\.md is missing/);
      assert.ok((await problems.locator('.mo-ProblemList li').count()) >= 2, 'every problem listed');
      await problems.locator('.jp-Dialog-button').last().click();
      await problems.waitFor({ state: 'detached' });

      await dismissToasts(page);
      await publishFrom('my_iris');
      await waitForToast(page, new RegExp(`Published ${owner}/iris_classifier 1\\.0\\.0 \\(public\\)`));
      const mod = await server.api(`mo/api/modules/${owner}/iris_classifier`);
      assert.equal(mod.permission, 'public');
      const sidebar = await searchSidebar(page, 'modules', 'iris classifier');
      await sidebar.locator(`.mo-ModuleRow[data-id="${owner}/iris_classifier"]`).waitFor();
    });
  });

  it('draws the module details in the light and the dark theme (screenshots)', async () => {
    const { page } = lab;
    await withSnapshot(page, 'catalog-themes', async () => {
      await execute(page, 'mo:open-module', { id: 'mo/iris_classifier' });
      const details = await waitForDetails(page, 'module', 'mo/iris_classifier');
      await details.locator('[data-testid="mo-module-version"]').selectOption('1.0.0');
      await page.waitForSelector(`#${await details.getAttribute('id')} .mo-ModuleDetails-content[data-version="1.0.0"] [data-rendered="true"]`);
      await searchSidebar(page, 'modules', 'iris');
      await page.locator('#mo-modules-sidebar .mo-ModuleRow[data-id="mo/iris_classifier"]').waitFor();
      await dismissToasts(page);
      const sel = `#${await details.getAttribute('id')} .mo-ModuleDetails`;
      assert.ok((await luminance(page, sel, 'background-color')) > 0.7, 'light background');
      await page.screenshot({ path: path.join(IMG, 'modules-details.png') });

      await execute(page, 'apputils:change-theme', { theme: 'JupyterLab Dark' });
      await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'false');
      await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
      await page.waitForFunction(
        s => getComputedStyle(document.querySelector(s)).backgroundColor !== 'rgb(255, 255, 255)',
        sel
      );
      assert.ok((await luminance(page, sel, 'background-color')) < 0.05, 'dark background');
      assert.ok((await luminance(page, `${sel} .mo-Details-title`, 'color')) > 0.5, 'light title text');
      assert.ok((await luminance(page, `${sel} .mo-ParamTable td`, 'color')) > 0.4, 'light table text');
      await dismissToasts(page);
      await page.screenshot({ path: path.join(IMG, 'modules-details-dark.png') });
      await execute(page, 'apputils:change-theme', { theme: 'JupyterLab Light' });
    });
  });
});
