// New module and a published module's life (seed 000, 3.(1) 创建模块; seed
// 003's 上线 / 下线 / 权限 as datasets have them): the Modules sidebar's +
// opens the form, Create writes module_spec.yml, main.py and README.md and
// opens main.py; the folder's context menu offers New Module Here… and
// Publish; the details tab shows the owner's actions: Set offline (hidden
// from another owner, an "offline" badge for the owner), Edit…, Withdraw
// version… after a confirm dialog (the tab closes, the catalog folder goes).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab } from './lib/browser.mjs';
import { searchSidebar, startCatalogServer, waitForDetails } from './lib/catalog.mjs';
import { dismissToasts, fileItem, showFileBrowser, waitForToast, withSnapshot } from './lib/lab.mjs';
import { OUTPUT, REPO } from './lib/server.mjs';

const ID = 'alice/word_counter';

/** `jupyter mo module list` as another owner, on the same catalog: the ids bob sees. */
function idsSeenBy(owner, catalogDir) {
  const out = execFileSync('python3', ['-m', 'mo_jupyter.cli.main', 'module', 'list', 'word_counter',
    '--catalog', catalogDir, '--owner', owner, '--json'], { cwd: REPO, encoding: 'utf8' });
  return JSON.parse(out).items.map(m => m.id);
}

describe('modules admin', () => {
  const lab = useLab(() =>
    startCatalogServer({ name: 'modules-admin', extraArgs: ['--MoJupyterApp.catalog_owner=alice'] })
  );

  it('New module → form → files → Publish → details → Set offline → Edit → Withdraw', async () => {
    const { page, server } = lab;
    fs.mkdirSync(OUTPUT, { recursive: true });
    await withSnapshot(page, 'modules-admin', async () => {
      // ---- the form, from the Modules sidebar's + ------------------------------------------
      await searchSidebar(page, 'modules', '');
      await page.locator('#mo-modules-sidebar [data-testid="mo-module-new"]').click();
      let dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-NewModuleForm') });
      await dialog.waitFor({ state: 'visible' });
      await dialog.locator('input[name="name"]').fill('word-counter');
      assert.match(await dialog.locator('[data-testid="mo-new-module-hint"]').innerText(), /not a valid name/);
      await dialog.locator('input[name="name"]').fill('word_counter');
      assert.match(await dialog.locator('[data-testid="mo-new-module-hint"]').innerText(), /class WordCounter/);
      await dialog.locator('textarea[name="description"]').fill('Counts the words of a text');
      await dialog.locator('input[name="action-train"]').check();
      const predict = dialog.locator('fieldset.mo-NewModuleForm-params[data-action="predict"]');
      await predict.locator('.mo-NewModuleForm-inputs .mo-NewModuleForm-add').click();
      await predict.locator('.mo-NewModuleForm-inputs .mo-NewModuleForm-paramName').fill('text');
      await predict.locator('.mo-NewModuleForm-inputs .mo-NewModuleForm-paramDefault').fill('a b c');
      await predict.locator('.mo-NewModuleForm-outputs .mo-NewModuleForm-add').click();
      await predict.locator('.mo-NewModuleForm-outputs .mo-NewModuleForm-paramName').fill('count');
      await predict.locator('.mo-NewModuleForm-outputs .mo-NewModuleForm-paramType').selectOption('int');
      const train = dialog.locator('fieldset.mo-NewModuleForm-params[data-action="train"]');
      await train.locator('.mo-NewModuleForm-add').click();
      await train.locator('.mo-NewModuleForm-paramName').fill('epochs');
      await train.locator('.mo-NewModuleForm-paramType').selectOption('int');
      await train.locator('.mo-NewModuleForm-paramDefault').fill('3');
      await dialog.locator('.jp-Dialog-content').screenshot({ path: path.join(OUTPUT, 'modules-admin-new-form.png') });
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await dialog.waitFor({ state: 'detached' });

      // ---- the files; main.py opens --------------------------------------------------------
      await page.waitForFunction(() => window.jupyterapp.shell.currentWidget?.context?.path === 'word_counter/main.py');
      const folder = path.join(server.root, 'word_counter');
      assert.deepEqual(fs.readdirSync(folder).sort(), ['README.md', 'main.py', 'module_spec.yml']);
      const spec = fs.readFileSync(path.join(folder, 'module_spec.yml'), 'utf8');
      assert.match(spec, /name: word_counter/);
      assert.match(spec, /epochs:\n\s+value_type: int\n\s+default_value: 3/);
      assert.match(fs.readFileSync(path.join(folder, 'main.py'), 'utf8'), /class WordCounter:[\s\S]*def train\(self, conf\)/);
      assert.match(fs.readFileSync(path.join(folder, 'README.md'), 'utf8'), /\| `text` \| str \| `'a b c'` \|/);
      await waitForToast(page, /Made module word_counter in word_counter/);

      // ---- a second one with the same name: the server's 409, shown in the reopened form ----
      // (not execute(): the command resolves only once its dialog closes)
      await page.evaluate(() => void window.jupyterapp.commands.execute('mo:new-module', { path: '' }));
      dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-NewModuleForm') });
      await dialog.locator('input[name="name"]').fill('word_counter');
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await dialog.locator('[data-testid="mo-new-module-error"]', { hasText: 'already exists' }).waitFor();
      await dialog.locator('.jp-Dialog-button.jp-mod-reject').click();
      await dialog.waitFor({ state: 'detached' });

      // ---- the folder's context menu: New Module Here… and Publish as Module… --------------
      await dismissToasts(page);
      await showFileBrowser(page);
      await execute(page, 'filebrowser:go-to-path', { path: '' });
      await execute(page, 'filebrowser:refresh');
      const item = fileItem(page, 'word_counter');
      await item.waitFor({ state: 'visible' });
      await item.click();
      await item.click({ button: 'right' });
      await page.locator('.lm-Menu .lm-Menu-item[data-command="mo:new-module"]', { hasText: 'New Module Here' })
        .waitFor({ state: 'visible' });
      await page.locator('.lm-Menu .lm-Menu-item[data-command="mo:publish-module"]').click();
      dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-PublishForm') });
      await dialog.locator('.mo-PublishForm-permission').selectOption('public');
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await waitForToast(page, /Published alice\/word_counter 0\.1\.0 \(public\)/);
      assert.deepEqual(idsSeenBy('bob', server.catalogDir), [ID], 'bob finds the public module');

      // ---- details: the owner's actions; Set offline -----------------------------------------
      await execute(page, 'mo:open-module', { id: ID });
      let details = await waitForDetails(page, 'module', ID);
      const content = details.locator('.mo-ModuleDetails-content');
      assert.equal(await content.getAttribute('data-writable'), 'true');
      await details.locator('[data-testid="mo-module-toggle-status"]', { hasText: 'Set offline' }).click();
      await details.locator('.mo-ModuleDetails-content[data-status="offline"]').waitFor();
      await details.locator('.mo-Badge-status.mo-mod-offline').waitFor();
      await waitForToast(page, /alice\/word_counter is offline/);
      assert.deepEqual(idsSeenBy('bob', server.catalogDir), [], 'offline: hidden from bob');
      const sidebar = await searchSidebar(page, 'modules', 'word_counter');
      await sidebar.locator(`.mo-ModuleRow[data-id="${ID}"][data-status="offline"] .mo-Badge-status`).waitFor();
      await dismissToasts(page);
      await page.screenshot({ path: path.join(OUTPUT, 'modules-admin-offline.png') });

      // ---- Edit… -----------------------------------------------------------------------------
      await details.locator('[data-testid="mo-module-edit"]').click();
      dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-ModuleEditForm') });
      await dialog.locator('textarea[name="description"]').fill('Counts words, edited');
      await dialog.locator('input[name="tags"]').fill('text, count');
      await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
      await details.locator('.mo-Details-description', { hasText: 'Counts words, edited' }).waitFor();
      assert.match(fs.readFileSync(path.join(server.catalogDir, 'modules', ID, '0.1.0/module_spec.yml'), 'utf8'),
        /description: Counts words, edited/);

      // ---- Withdraw version… (the last one: the module goes, the tab closes) ----------------
      await dismissToasts(page);
      await details.locator('[data-testid="mo-module-withdraw"]').click();
      dialog = page.locator('.jp-Dialog', { hasText: 'Withdraw version' });
      assert.match(await dialog.innerText(), /last version/);
      await dialog.locator('.jp-Dialog-button.jp-mod-warn').click();
      await waitForToast(page, /Withdrew alice\/word_counter 0\.1\.0: the module is gone/);
      await details.waitFor({ state: 'detached' });
      assert.ok(!fs.existsSync(path.join(server.catalogDir, 'modules', ID)), 'the catalog folder is gone');
      assert.ok(fs.existsSync(path.join(folder, 'main.py')), 'the project folder stays');
      await sidebar.locator(`.mo-ModuleRow[data-id="${ID}"]`).waitFor({ state: 'detached' });
    });
  });
});
