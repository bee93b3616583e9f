// Dataset management in the browser (seed 003, 2.1): create a dataset in the
// New dataset dialog (a server error is shown verbatim first), upload a zip
// with one folder per class through the Upload box (progress to 100 %, two
// 8 MiB chunks), see the format check pass, set it online, insert it into a
// notebook and run the cell; a zip with a "../x" entry is refused with the
// server's message; an archive inside a dataset is extracted into the notebook's folder; edit,
// permission and delete.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab } from './lib/browser.mjs';
import { createNotebook, notebookCells, openNotebook, startCatalogServer, waitForDetails } from './lib/catalog.mjs';
import { dismissToasts, waitForToast, withSnapshot } from './lib/lab.mjs';

const PYTHON = process.env.PYTHON || 'python3';
const NB = 'data_demo.ipynb';

/** Write a zip with Python's zipfile: `entries` maps names to sizes (random bytes) or text. */
function makeZip(file, entries) {
  const script = `
import json, os, sys, zipfile
entries = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as zf:
    for name, body in entries.items():
        zf.writestr(zipfile.ZipInfo(name), os.urandom(body) if isinstance(body, int) else body)
`;
  const r = spawnSync(PYTHON, ['-c', script, file, JSON.stringify(entries)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return file;
}

describe('datasets', () => {
  let work;
  let owner;
  let id;

  const lab = useLab(() => startCatalogServer({ name: 'datasets' }), {
    prepare: async server => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'mo-ui-zips-'));
      server.tempDirs.push(work);
      owner = (await server.api('mo/api/catalog')).owner;
      id = `${owner}/flowers`;
      await createNotebook(server, NB, ['import os']);
    },
    ready: ({ page }) => openNotebook(page, NB)
  });

  it('creates a dataset in the dialog, showing the server error verbatim first', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'datasets-create', async () => {
      await execute(page, 'mo:open-datasets');
      await page.locator('#mo-datasets-sidebar [data-testid="mo-dataset-new"]').click();
      let dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-DatasetForm') });
      await dialog.waitFor({ state: 'visible' });
      await dialog.locator('input[name="name"]').fill('bad name!');
      // the client hints, but sends: the server is the judge
      assert.match(await dialog.locator('[data-testid="mo-dataset-form-hints"]').innerText(), /Names use letters/);
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      // the form comes back with the values kept and the server's message
      const error = page.locator('.jp-Dialog [data-testid="mo-dataset-form-error"]');
      await error.waitFor({ state: 'visible' });
      assert.match(await error.innerText(), /name/);
      dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-DatasetForm') });
      assert.equal(await dialog.locator('input[name="name"]').inputValue(), 'bad name!');

      await dialog.locator('input[name="name"]').fill('flowers');
      await dialog.locator('textarea[name="description"]').fill('Two kinds of flowers, one folder per class');
      await dialog.locator('input[name="tags"]').fill('flowers, image');
      await dialog.locator('select[name="purpose"]').selectOption('image_classification');
      await dialog.locator('select[name="label_type"]').selectOption('single_label');
      await dialog.locator('select[name="format"]').selectOption('dir');
      await dialog.locator('input[name="split"][value="ratio"]').check();
      await dialog.locator('input[name="ratio"]').fill('0.8');
      await dialog.locator('select[name="permission"]').selectOption('private');
      await dialog.locator('input[name="license"]').fill('CC0');
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await dialog.waitFor({ state: 'detached' });

      const details = await waitForDetails(page, 'dataset', id);
      const content = details.locator('.mo-DatasetDetails-content');
      assert.equal(await content.getAttribute('data-status'), 'offline');
      assert.equal(await content.getAttribute('data-writable'), 'true');
      const insert = details.locator('[data-testid="mo-dataset-insert"]');
      assert.equal(await insert.isDisabled(), true, 'offline: Insert disabled');
      assert.match(await insert.getAttribute('title'), /online/);
      assert.equal(await details.locator('[data-testid="mo-dataset-check"]').getAttribute('data-ok'), 'false');
      const meta = await details.locator('[data-testid="mo-dataset-meta"]').innerText();
      assert.match(meta, /Random split: 80 % train, 20 % test/);
      const rest = await server.api(`mo/api/datasets/${id}`);
      assert.equal(rest.test_set, 0.8);
      assert.deepEqual(rest.tags, ['flowers', 'image']);
      assert.equal(rest.format, 'dir');
      // the sidebar lists it
      await page.locator(`#mo-datasets-sidebar .mo-DatasetRow[data-id="${id}"][data-status="offline"]`).waitFor();
    });
  });

  it('uploads a zip with progress to 100 %, passes the check, goes online and is inserted', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'datasets-upload', async () => {
      // 9 MiB: two PUT chunks of at most 8 MiB
      const zip = makeZip(path.join(work, 'flowers.zip'), {
        'flowers/daisy/1.png': 9 * 1024 * 1024,
        'flowers/daisy/2.png': 'daisy',
        'flowers/rose/1.png': 'rose',
        'flowers/rose/2.png': 'rose too'
      });
      const details = await waitForDetails(page, 'dataset', id);
      const sel = `#${await details.getAttribute('id')}`;
      // record every percentage the progress bar shows
      await page.evaluate(s => {
        window.__moPercents = [];
        const root = document.querySelector(s);
        new MutationObserver(() => {
          const el = root.querySelector('[data-testid="mo-upload-progress"]');
          const p = el?.getAttribute('data-percent');
          if (p !== undefined && p !== null && window.__moPercents.at(-1) !== p) {
            window.__moPercents.push(p);
          }
        }).observe(root, { subtree: true, attributes: true, childList: true });
      }, sel);
      await details.locator('[data-testid="mo-upload-file"]').setInputFiles(zip);
      await details.locator('[data-testid="mo-upload-start"]').click();
      await page.waitForSelector(`${sel} [data-testid="mo-upload-progress"][data-phase="done"][data-percent="100"]`, {
        timeout: 60000
      });
      const percents = (await page.evaluate(() => window.__moPercents)).map(Number);
      assert.equal(percents.at(-1), 100);
      assert.ok(percents.some(p => p > 0 && p < 100), `an intermediate step: ${percents}`);
      assert.match(await details.locator('[data-testid="mo-upload-message"]').innerText(), /Imported flowers\.zip/);

      await page.waitForSelector(`${sel} [data-testid="mo-dataset-check"][data-ok="true"]`);
      const files = await details.locator('[data-testid="mo-dataset-files"]').innerText();
      assert.match(files, /daisy\/1\.png/);
      assert.match(files, /rose\/2\.png/);

      await dismissToasts(page);
      await details.locator('[data-testid="mo-dataset-toggle-status"]').click();
      await waitForToast(page, new RegExp(`${id} is online`));
      await page.waitForSelector(`${sel} .mo-DatasetDetails-content[data-status="online"]`);
      await page.locator(`#mo-datasets-sidebar .mo-DatasetRow[data-id="${id}"][data-status="online"]`).waitFor();

      const insert = details.locator('[data-testid="mo-dataset-insert"]');
      assert.equal(await insert.isDisabled(), false);
      await insert.click();
      await waitForToast(page, new RegExp(`Inserted dataset ${id} into datasets/${owner}-flowers`));
      const nb = await notebookCells(page, NB);
      assert.equal(nb.cells.length, 2);
      assert.match(nb.cells[1].source, /classes = sorted/);
      assert.ok(fs.existsSync(path.join(server.root, `datasets/${owner}-flowers/rose/2.png`)));

      // the inserted cell runs in the kernel
      await page.evaluate(p => {
        const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context?.path === p);
        window.jupyterapp.shell.activateById(w.id);
      }, NB);
      await page.waitForFunction(p => window.jupyterapp.shell.currentWidget?.context?.path === p, NB);
      await execute(page, 'notebook:run-cell');
      await page.waitForFunction(
        p => Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context?.path === p).content.widgets[1].model.outputs.length > 0,
        NB,
        { timeout: 90000 }
      );
      const ran = await notebookCells(page, NB);
      assert.match(ran.cells[1].outputs, /4 samples in 2 classes/);
    });
  });

  it('refuses a zip with a "../x" entry, showing the server error that names it', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'datasets-bad-zip', async () => {
      const zip = makeZip(path.join(work, 'evil.zip'), { 'daisy/3.png': 'ok', '../x': 'escape' });
      await execute(page, 'mo:open-dataset', { id });
      const details = await waitForDetails(page, 'dataset', id);
      await details.locator('[data-testid="mo-upload-file"]').setInputFiles(zip);
      await details.locator('[data-testid="mo-upload-start"]').click();
      const message = details.locator('[data-testid="mo-upload-message"].mo-mod-error');
      await message.waitFor({ state: 'visible' });
      assert.match(await message.innerText(), /\.\.\/x/);
      assert.equal(fs.existsSync(path.join(server.catalogDir, 'datasets', owner, 'x')), false);
      assert.equal(fs.existsSync(path.join(server.catalogDir, 'datasets', 'x')), false);
      // nothing changed: still online, same files
      const rest = await server.api(`mo/api/datasets/${id}`);
      assert.equal(rest.status, 'online');
      assert.equal(rest.file_count, 4);
    });
  });

  it('extracts an archive of a dataset into the notebook folder (the seeds\' !7zx), safely', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'datasets-extract', async () => {
      // a dataset that ships an archive, as star-face does in the seeds
      const script = `
import io, sys, zipfile
inner = io.BytesIO()
with zipfile.ZipFile(inner, "w") as zf:
    zf.writestr("star-face/a/1.jpg", "face a")
    zf.writestr("star-face/b/2.jpg", "face b")
with zipfile.ZipFile(sys.argv[1], "w") as zf:
    zf.writestr("labels.json", "{}")
    zf.writestr("star-face.zip", inner.getvalue())
`;
      const r = spawnSync(PYTHON, ['-c', script, path.join(server.root, 'starface-upload.zip')], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const sid = `${owner}/starface`;
      await server.api('mo/api/datasets', {
        method: 'POST',
        body: { name: 'starface', purpose: 'image_classification', format: 'json' }
      });
      await server.api(`mo/api/datasets/${sid}/import`, { method: 'POST', body: { path: 'starface-upload.zip' } });
      await server.api(`mo/api/datasets/${sid}`, { method: 'PATCH', body: { status: 'online' } });

      await execute(page, 'mo:open-dataset', { id: sid });
      const details = await waitForDetails(page, 'dataset', sid);
      const extract = details.locator('.mo-DatasetArchives-extract');
      await extract.waitFor({ state: 'visible' });
      await dismissToasts(page);
      await extract.click();
      await waitForToast(page, /Extracted 2 files into star-face/);
      assert.equal(fs.readFileSync(path.join(server.root, 'star-face/b/2.jpg'), 'utf8'), 'face b');
      assert.equal(fs.existsSync(path.join(server.root, 'star-face/star-face')), false);
      // the dataset itself came along, linked read-only, as Insert does
      assert.ok(fs.existsSync(path.join(server.root, `datasets/${owner}-starface/star-face.zip`)));
    });
  });

  it('edits the metadata, makes it public, and deletes it after confirming', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'datasets-manage', async () => {
      await execute(page, 'mo:open-dataset', { id });
      const details = await waitForDetails(page, 'dataset', id);
      await details.locator('[data-testid="mo-dataset-edit"]').click();
      const dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-DatasetForm') });
      await dialog.waitFor({ state: 'visible' });
      assert.equal(await dialog.locator('input[name="name"]').isDisabled(), true);
      await dialog.locator('textarea[name="description"]').fill('Daisies and roses');
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await dialog.waitFor({ state: 'detached' });
      await details.locator('.mo-Details-description', { hasText: 'Daisies and roses' }).waitFor();

      await dismissToasts(page);
      await details.locator('[data-testid="mo-dataset-permission"]').selectOption('public');
      await waitForToast(page, new RegExp(`${id} is now public`));
      assert.equal((await server.api(`mo/api/datasets/${id}`)).permission, 'public');

      await details.locator('[data-testid="mo-dataset-delete"]').click();
      const confirm = page.locator('.jp-Dialog');
      await confirm.waitFor({ state: 'visible' });
      assert.match(await confirm.innerText(), /Delete dataset/);
      await confirm.locator('.jp-Dialog-button.jp-mod-warn').click();
      await details.waitFor({ state: 'detached' });
      await page.locator(`#mo-datasets-sidebar .mo-DatasetRow[data-id="${id}"]`).waitFor({ state: 'detached' });
      const r = await server.api(`mo/api/datasets/${id}`, { raw: true });
      assert.equal(r.status, 404);
      assert.deepEqual(page.errors.filter(e => !/favicon|40[0-9]/.test(e)), []);
    });
  });
});
