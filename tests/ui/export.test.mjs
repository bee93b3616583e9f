// Notebook export in the browser: the notebook toolbar button writes
// coding_here.py beside the notebook (the `!echo` line made runnable) and
// opens it; a second export asks before replacing the file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab } from './lib/browser.mjs';
import { waitForToast, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

describe('export', () => {
  const lab = useLab(() => startServer({ name: 'export' }));

  it('exports coding_here.ipynb to a .py from the notebook toolbar and opens it', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'export', async () => {
      const out = path.join(server.root, 'coding_here.py');
      assert.equal(fs.existsSync(out), false);
      await execute(page, 'docmanager:open', { path: 'coding_here.ipynb' });
      const button = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .mo-ExportButton');
      await button.waitFor({ state: 'visible' });
      await button.click();

      // the new file opens in an editor tab and becomes the current widget
      await page.waitForFunction(() => window.jupyterapp.shell.currentWidget?.context?.path === 'coding_here.py');
      await page.waitForSelector('.jp-FileEditor:not(.lm-mod-hidden) .cm-content');
      const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
      assert.match(await tab.innerText(), /coding_here\.py/);
      // the editor's text arrives after its tab: wait for the loaded document, not the empty model
      await page.waitForFunction(() => {
        const w = window.jupyterapp.shell.currentWidget;
        return w?.context?.isReady && w.content.model.sharedModel.getSource().length > 0;
      });
      const source = await page.evaluate(() =>
        window.jupyterapp.shell.currentWidget.content.model.sharedModel.getSource()
      );
      assert.match(source, /subprocess\.run\(/);
      assert.match(source, /echo data ready/);
      assert.doesNotMatch(source, /^!echo/m);
      await waitForToast(page, /Exported to coding_here\.py/);

      const disk = fs.readFileSync(out, 'utf8');
      assert.equal(disk, source, 'the editor shows the file written on disk');
      assert.match(disk, /^import .*\bsubprocess\b/m);
      assert.match(disk, /subprocess\.run\(.*echo data ready/);
      // markdown cells become comments
      assert.match(disk, /^# Synthetic data: three blobs/m);

      assert.deepEqual(page.errors.filter(e => !/favicon|409/.test(e)), []);
    });
  });

  // README: "An existing .py is never replaced without asking."
  it('asks before replacing an existing .py, keeps it on cancel, replaces it on confirm', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'export-again', async () => {
      const out = path.join(server.root, 'coding_here.py');
      fs.writeFileSync(out, '# edited by hand\n');
      const button = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .mo-ExportButton');
      const dialog = page.locator('.jp-Dialog');

      await execute(page, 'docmanager:open', { path: 'coding_here.ipynb' });
      await button.click();
      await dialog.waitFor({ state: 'visible' });
      assert.match(await dialog.innerText(), /coding_here\.py/);
      await dialog.locator('.jp-Dialog-button:not(.jp-mod-accept)').last().click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(fs.readFileSync(out, 'utf8'), '# edited by hand\n', 'kept on cancel');

      await execute(page, 'docmanager:open', { path: 'coding_here.ipynb' });
      await button.click();
      await dialog.waitFor({ state: 'visible' });
      const text = await dialog.innerText();
      const replace = dialog.locator('.jp-Dialog-button', { hasText: /replace|overwrite/i });
      assert.equal(await replace.count(), 1, `the dialog offers to replace the file; it says: ${JSON.stringify(text)}`);
      await replace.click();
      await page.waitForFunction(() => window.jupyterapp.shell.currentWidget?.context?.path === 'coding_here.py');
      assert.match(fs.readFileSync(out, 'utf8'), /subprocess\.run\(/, 'replaced on confirm');
    });
  });
});
