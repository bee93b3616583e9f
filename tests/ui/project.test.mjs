// New Project from Template (issue 10, §5; the seeds' 新建项目):
// - the Launcher's Mo card opens the dialog with the templates; picking one sets the folder name,
//   Create makes the folder (its dataset and module inserted), the file browser shows it and its
//   first notebook opens;
// - a job of a script in that folder runs there: its results/ land inside the project folder;
// - File > New offers the same command; a folder that exists is refused inside the dialog, and
//   the default name is made unique;
// - in Chinese (JupyterLab's language zh_CN) the dialog shows the templates' Chinese titles.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab, waitForLab } from './lib/browser.mjs';
import { submitCreateJobDialog, waitForJobState, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const DIALOG = '.jp-Dialog:has(.mo-NewProject)';

/** The main-area widget paths, and the current one's. */
function mainPaths(page) {
  return page.evaluate(() => {
    const shell = window.jupyterapp.shell;
    return {
      all: Array.from(shell.widgets('main')).map(w => w.context?.path ?? w.id),
      current: shell.currentWidget?.context?.path ?? null
    };
  });
}

/** The default file browser's folder. */
function browserPath(page) {
  return page.evaluate(() => {
    const browser = Array.from(window.jupyterapp.shell.widgets('left')).find(w => w.id === 'filebrowser');
    return browser?.model.path ?? null;
  });
}

describe('New Project from Template', () => {
  const lab = useLab(() => startServer({ name: 'project' }));

  it('the Launcher card makes a project, opens its notebook, and a job there writes its results/ inside it', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'project-launcher', async () => {
      await execute(page, 'launcher:create');
      const section = page.locator('.jp-Launcher-section', {
        has: page.locator('.jp-Launcher-sectionTitle', { hasText: /^Mo$/ })
      });
      await section.locator('.jp-LauncherCard', { hasText: /^New Project$/ }).click();
      const dialog = page.locator(DIALOG);
      await dialog.waitFor({ state: 'visible' });
      const names = await dialog.locator('.mo-NewProject-template').evaluateAll(ns => ns.map(n => n.dataset.template));
      assert.deepEqual(names, ['mnist', 'iris', 'text']);
      assert.match(await dialog.locator('.mo-NewProject-template[data-template="text"]').innerText(), /text_classifier_bayes/);
      const folder = dialog.locator('[data-testid="mo-new-project-folder"]');
      assert.equal(await folder.inputValue(), 'mnist-tutorial');
      await dialog.locator('.mo-NewProject-template[data-template="text"]').click();
      assert.equal(await folder.inputValue(), 'text-classification');
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await dialog.waitFor({ state: 'detached' });

      const nb = 'text-classification/text_classification.ipynb';
      await page.waitForFunction(p => window.jupyterapp.shell.currentWidget?.context?.path === p, nb, {
        timeout: 30000
      });
      await page.waitForFunction(() => {
        const b = Array.from(window.jupyterapp.shell.widgets('left')).find(w => w.id === 'filebrowser');
        return b?.model.path === 'text-classification';
      });
      const made = path.join(server.root, 'text-classification');
      for (const rel of ['.mo_project.json', 'datasets/mo-text_zh_en/sports', 'modules/text_classifier_bayes/main.py']) {
        assert.ok(fs.existsSync(path.join(made, rel)), `${rel} in the new project`);
      }

      // a small job in the project: its working directory is the project folder
      fs.writeFileSync(
        path.join(made, 'where.py'),
        "import os\nos.makedirs('results', exist_ok=True)\nopen('results/where.txt', 'w').write(os.getcwd())\n"
      );
      const opened = execute(page, 'mo:create-job', { path: 'text-classification/where.py' });
      const id = await submitCreateJobDialog(page, { path: 'text-classification/where.py', args: '' });
      await opened;
      await waitForJobState(page, id, 'completed', 60000);
      assert.equal(fs.readFileSync(path.join(made, 'results/where.txt'), 'utf8'), fs.realpathSync(made));
      assert.ok(!fs.existsSync(path.join(server.root, 'results/where.txt')), 'nothing in the root results/');
      assert.deepEqual(page.errors, []);
    });
  });

  it('File > New has the command; an existing folder is refused in the dialog; the default is unique', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'project-menu', async () => {
      // back to the root, awaited in the page (the command that does it resolves before the listing moves)
      await page.evaluate(async () => {
        const b = Array.from(window.jupyterapp.shell.widgets('left')).find(w => w.id === 'filebrowser');
        await b.model.cd('/');
      });
      await page.locator('.jp-FileBrowser .jp-DirListing-item', { hasText: 'text-classification' }).first().waitFor();
      await page.locator('.lm-MenuBar-item', { hasText: /^File$/ }).click();
      await page.locator('.lm-Menu-item', { hasText: /^New$/ }).first().hover();
      await page.locator('.lm-Menu-item', { hasText: 'New Project from Template…' }).click();
      const dialog = page.locator(DIALOG);
      await dialog.waitFor({ state: 'visible' });
      await dialog.locator('.mo-NewProject-template[data-template="text"]').click();
      const folder = dialog.locator('[data-testid="mo-new-project-folder"]');
      assert.equal(await folder.inputValue(), 'text-classification-2'); // text-classification exists
      await folder.fill('text-classification');
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      const error = page.locator(`${DIALOG} [data-testid="mo-new-project-error"]`);
      await error.waitFor({ state: 'visible' });
      assert.match(await error.innerText(), /already exists and is not empty/);
      assert.equal(await page.locator(`${DIALOG} [data-testid="mo-new-project-folder"]`).inputValue(),
        'text-classification');
      await page.locator(`${DIALOG} .jp-Dialog-button.jp-mod-reject`).click();
      await page.locator(DIALOG).waitFor({ state: 'detached' });
      assert.equal(await browserPath(page), '');
      const entries = fs.readdirSync(server.root).filter(n => n.startsWith('text-classification'));
      assert.deepEqual(entries, ['text-classification']);
      assert.ok((await mainPaths(page)).all.includes('text-classification/text_classification.ipynb'));
      // the refused POST is the browser's one console line (the dialog said why)
      assert.deepEqual(page.errors.filter(e => !/status of 409/.test(e)), []);
    });
  });

  it('speaks Chinese with JupyterLab: the templates\' Chinese titles and descriptions', async t => {
    const { page, server } = lab;
    const { data } = await server.api('lab/api/translations');
    if (!('zh_CN' in data)) {
      t.skip('jupyterlab-language-pack-zh-CN is not installed');
      return;
    }
    await withSnapshot(page, 'project-zh', async () => {
      await server.api('lab/api/settings/@jupyterlab/translation-extension:plugin', {
        method: 'PUT',
        body: { raw: JSON.stringify({ locale: 'zh_CN' }) }
      });
      await page.reload();
      await waitForLab(page);
      const done = execute(page, 'mo:new-project');
      const dialog = page.locator(DIALOG);
      await dialog.waitFor({ state: 'visible' });
      assert.equal(await dialog.locator('.jp-Dialog-header').innerText(), '从模板新建项目');
      assert.equal(await dialog.locator('.mo-NewProject-template[data-template="mnist"] .mo-NewProject-title').innerText(),
        'MNIST 手写数字识别：训练并部署');
      assert.match(await dialog.locator('.mo-NewProject-template[data-template="iris"]').innerText(), /二次训练/);
      await dialog.locator('.jp-Dialog-button.jp-mod-reject').click();
      assert.equal(await done, null);
    });
  });
});
