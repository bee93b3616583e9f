// Help where a learner looks (issue 10, §5) and code that brings what it needs (§2):
// - the Help menu's Mo group opens the memory tips and the dataset format standard as read-only
//   rendered documents (and in Chinese once JupyterLab speaks Chinese);
// - "Insert train code" of text_classifier_bayes offers its default dataset mo/text_zh_en, inserts
//   it as the Datasets sidebar does, and the train cell then runs in the kernel;
// - a deployed app's test page follows JupyterLab's language (?lang= from the Test tab).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab, waitForLab } from './lib/browser.mjs';
import { createNotebook, notebookCells, openNotebook } from './lib/catalog.mjs';
import { dismissToasts, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const NB = 'text/bayes.ipynb';
const SPEC = `name: Doubler
input:
  x: {value_type: float, description: a number}
  tags: {value_type: "[int]", optional: true}
output:
  y: {value_type: float}
`;
const HANDLER = [
  'def handle(conf):',
  "    x = conf['x']  # value_type: float",
  "    tags = conf.get('tags')  # value_type: [int]",
  "    return {'y': x * 2}  # value_type: float",
  ''
].join('\n');

/** Open the Help menu and click its entry `label`. */
async function fromHelpMenu(page, menuLabel, label) {
  await page.locator('.lm-MenuBar-item', { hasText: menuLabel }).first().click();
  const item = page.locator('.lm-Menu-item', { hasText: label }).first();
  await item.waitFor({ state: 'visible' });
  await item.click();
}

/** The rendered help document `name`: its language and its text, once rendered. */
async function helpDocument(page, name) {
  const doc = page.locator(`#mo-help-${name} [data-testid="mo-help"][data-rendered="true"]`);
  await doc.waitFor({ state: 'visible', timeout: 30000 });
  return {
    lang: await doc.getAttribute('data-lang'),
    h1: await doc.locator('h1').first().innerText(),
    text: await doc.innerText(),
    editable: await doc.locator('[contenteditable="true"], .cm-editor, textarea').count(),
    code: await doc.locator('pre code, pre').count()
  };
}

/** Run cell `index` of the notebook in its kernel and wait for its outputs. */
async function runCell(page, index) {
  await page.evaluate(
    ([p, i]) => {
      const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context?.path === p);
      window.jupyterapp.shell.activateById(w.id);
      w.content.activeCellIndex = i;
    },
    [NB, index]
  );
  await execute(page, 'notebook:run-cell');
  await page.waitForFunction(
    ([p, i]) => {
      const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context?.path === p);
      const cell = w?.content.widgets[i];
      return cell && cell.model.outputs.length > 0 && cell.model.executionCount !== null;
    },
    [NB, index],
    { timeout: 120000 }
  );
  return (await notebookCells(page, NB)).cells[index];
}

/** Click the service's Test button; the test page's frame, its src and its form. */
async function openTestTab(page, id) {
  await execute(page, 'mo:open-deploy');
  const row = `#mo-deploy-sidebar .mo-Service[data-id="${id}"]`;
  await page.locator(`${row}[data-state="running"] [data-testid="mo-service-test"]`).click({ timeout: 90000 });
  const iframe = page.locator(`#mo-testpage-${id} iframe`);
  await iframe.waitFor({ timeout: 30000 });
  const frame = page.frameLocator(`#mo-testpage-${id} iframe`);
  await frame.locator('form').first().waitFor({ timeout: 60000 });
  return { src: await iframe.getAttribute('src'), frame };
}

describe('help documents, datasets that train code needs, the test page in the UI language', () => {
  let hasPack = false;
  let service = null;
  const lab = useLab(() => startServer({ name: 'help' }), {
    prepare: async server => {
      const { data } = await server.api('lab/api/translations');
      hasPack = 'zh_CN' in data;
      fs.mkdirSync(path.join(server.root, 'text'), { recursive: true });
      await createNotebook(server, NB, ['print("first")']);
      await createNotebook(server, 'skip.ipynb', ['print("first")']);
      fs.writeFileSync(path.join(server.root, 'app_spec.yml'), SPEC);
      fs.writeFileSync(path.join(server.root, 'handler.py'), HANDLER);
      service = await server.api('mo/api/services', { method: 'POST', body: { name: 'help-demo', version: 'dev' } });
    }
  });

  it('opens the memory tips from the Help menu and the format standard from the palette, read-only', async () => {
    const { page } = lab;
    await withSnapshot(page, 'help-en', async () => {
      await fromHelpMenu(page, 'Help', 'Saving Memory in Notebooks');
      const memory = await helpDocument(page, 'memory');
      assert.equal(memory.lang, 'en');
      assert.equal(memory.h1, 'Saving memory in notebooks');
      assert.match(memory.text, /chunksize/);
      assert.match(memory.text, /gc\.collect\(\)/);
      assert.match(memory.text, /memory_info\(\)\.rss/);
      assert.equal(memory.editable, 0, 'read-only: no editor');
      assert.ok(memory.code >= 4, 'code examples render as code blocks');
      assert.equal(
        await page.locator('#mo-help-memory .lm-Widget.jp-RenderedMarkdown, #mo-help-memory .jp-RenderedHTMLCommon').count() > 0,
        true,
        "rendered by JupyterLab's Markdown renderer"
      );
      // the palette's command opens the other one; opening again activates, no second tab
      await execute(page, 'mo:open-help', { name: 'dataset-formats' });
      const formats = await helpDocument(page, 'dataset-formats');
      assert.equal(formats.h1, 'Dataset format standard');
      for (const fmt of ['dir', 'npz', 'csv', 'json', 'single_text', 'brat_ann']) {
        assert.match(formats.text, new RegExp(`\\b${fmt}\\b`), fmt);
      }
      await execute(page, 'mo:open-help', { name: 'dataset-formats' });
      assert.equal(await page.locator('#mo-help-dataset-formats').count(), 1);
      assert.equal(await page.locator('.lm-TabBar-tab', { hasText: 'Dataset format standard' }).count(), 1);
      const labels = await page.evaluate(() =>
        ['memory', 'dataset-formats'].map(name => window.jupyterapp.commands.label('mo:open-help', { name }))
      );
      assert.deepEqual(labels, ['Saving Memory in Notebooks', 'Dataset Format Standard']);
    });
  });

  it('inserting text_classifier_bayes train code offers mo/text_zh_en; the train cell then runs', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'help-train-dataset', async () => {
      await openNotebook(page, NB);
      const insert = execute(page, 'mo:insert-module', {
        id: 'mo/text_classifier_bayes',
        version: '1.0.0',
        action: 'train'
      });
      const dialog = page.locator('.jp-Dialog');
      await dialog.waitFor({ state: 'visible' });
      assert.match(await dialog.innerText(), /This code reads the dataset mo\/text_zh_en\. Insert it too\?/);
      await dialog.locator('.jp-Dialog-button.jp-mod-accept', { hasText: 'Insert' }).click();
      await insert; // the command resolves once both are inserted
      const data = path.join(server.root, 'text/datasets/mo-text_zh_en');
      assert.ok(fs.existsSync(path.join(data, 'food')), 'the dataset is where the train cell reads it');
      const { cells, active } = await notebookCells(page, NB);
      assert.equal(cells.length, 3, 'the dataset cell, then the train cell');
      assert.match(cells[1].source, /dataset mo\/text_zh_en/);
      // paths as the kernel sees them: it runs in the notebook's folder (text/)
      assert.match(cells[1].source, /data_dir = Path\('datasets\/mo-text_zh_en'\)/);
      assert.match(cells[2].source, /'data_path': 'datasets\/mo-text_zh_en'/);
      assert.equal(active, 2);

      // run the dataset cell, then the train cell, in the notebook's kernel
      const loaded = await runCell(page, 1);
      assert.match(loaded.outputs, /samples in 4 classes/);
      const ran = await runCell(page, 2);
      assert.ok(!ran.outputTypes.includes('error'), `the train cell ran: ${ran.outputs}`);
      assert.doesNotMatch(ran.outputs, /FileNotFoundError/);
      assert.ok(fs.existsSync(path.join(server.root, 'text/results/bayes_model.json')), 'the model was saved');

      // inserting again: the dataset is there, so nothing is asked
      await execute(page, 'mo:insert-module', { id: 'mo/text_classifier_bayes', version: '1.0.0', action: 'train' });
      await page.waitForFunction(p => {
        const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context?.path === p);
        return w?.content.widgets.length === 4;
      }, NB);
      assert.equal(await page.locator('.jp-Dialog').count(), 0, 'no offer for a dataset already there');

      // Skip: the module's code alone (mnist_cnn's default reads datasets/mo-mnist/mnist.npz)
      await openNotebook(page, 'skip.ipynb');
      const skipped = execute(page, 'mo:insert-module', { id: 'mo/mnist_cnn', version: '1.0.0', action: 'train' });
      await dialog.waitFor({ state: 'visible' });
      assert.match(await dialog.innerText(), /This code reads the dataset mo\/mnist\. Insert it too\?/);
      await dialog.locator('.jp-Dialog-button', { hasText: 'Skip' }).click();
      await skipped;
      const only = await notebookCells(page, 'skip.ipynb');
      assert.equal(only.cells.length, 2);
      assert.match(only.cells[1].source, /mnist_cnn/);
      assert.ok(!fs.existsSync(path.join(server.root, 'datasets/mo-mnist')), 'skipped: no dataset');
      await dismissToasts(page);
    });
  });

  it('speaks Chinese once JupyterLab does: the Help menu documents and the test page', async t => {
    const { page, server } = lab;
    await withSnapshot(page, 'help-zh', async () => {
      // English first: the Test tab asks for ?lang=en
      const en = await openTestTab(page, service.id);
      assert.match(en.src, /\/proxy\/\?lang=en#key=/);
      assert.equal(await en.frame.locator('button.run').innerText(), 'Run');
      if (!hasPack) {
        t.skip('jupyterlab-language-pack-zh-CN is not installed');
        return;
      }
      await server.api('lab/api/settings/@jupyterlab/translation-extension:plugin', {
        method: 'PUT',
        body: { raw: JSON.stringify({ locale: 'zh_CN' }) }
      });
      try {
        await page.reload();
        await waitForLab(page);
        // the help tabs are restored with the layout, now in Chinese (the command brings one forward)
        await page.locator('#mo-help-dataset-formats').waitFor({ state: 'attached', timeout: 30000 });
        await execute(page, 'mo:open-help', { name: 'dataset-formats' });
        const restored = await helpDocument(page, 'dataset-formats');
        assert.equal(restored.lang, 'zh_CN');
        assert.equal(restored.h1, '数据集格式标准');
        await page.evaluate(() => {
          for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
            if (w.id.startsWith('mo-help-') || w.id.startsWith('mo-testpage-')) {
              w.close();
            }
          }
        });
        await fromHelpMenu(page, '帮助', '在 Notebook 中节省内存');
        const memory = await helpDocument(page, 'memory');
        assert.equal(memory.lang, 'zh_CN');
        assert.equal(memory.h1, '在 Notebook 中节省内存');
        assert.match(memory.text, /分块读取大文件/);
        await fromHelpMenu(page, '帮助', '数据集格式标准');
        const formats = await helpDocument(page, 'dataset-formats');
        assert.equal(formats.h1, '数据集格式标准');
        assert.match(formats.text, /每个类别一个文件夹/);

        const zh = await openTestTab(page, service.id);
        assert.match(zh.src, /\/proxy\/\?lang=zh_CN#key=/);
        assert.equal(await zh.frame.locator('button.run').innerText(), '运行');
        assert.equal(await zh.frame.locator('html').getAttribute('lang'), 'zh-CN');
        assert.match(await zh.frame.locator('#f-tags').getAttribute('placeholder'), /用逗号分隔的整数/);
        await zh.frame.locator('input[name="x"]').fill('21');
        await zh.frame.locator('button.run').click();
        await zh.frame.locator('#st').filter({ hasText: /^200，用时 \d+ ms$/ }).waitFor({ timeout: 30000 });
        assert.match(await zh.frame.locator('.o').first().innerText(), /\b42\b/);
      } finally {
        await server.api('lab/api/settings/@jupyterlab/translation-extension:plugin', {
          method: 'PUT',
          body: { raw: JSON.stringify({ locale: 'en' }) }
        });
      }
    });
  });
});
