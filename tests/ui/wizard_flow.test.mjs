// The deploy wizard's flow (issue 10, sections 3, 4 and 6): what the user edits in the handler.py
// preview is what step 3 reads and what is deployed; errors in the selected cells stop the wizard
// on step 1, numbered as the cell cards are; the wizard and the details tabs use the main area's
// width and wide tables scroll inside their box; the Launcher's Mo cards; a Jobs sidebar icon
// unlike the Table of Contents'; the Deploy sidebar's header like the Jobs sidebar's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab } from './lib/browser.mjs';
import { createNotebook, makeCatalogDir, openNotebook, startCatalogServer, waitForDetails } from './lib/catalog.mjs';
import { WIZARD, gotoStep, openDeployWizard, waitForScan, wizardCells } from './lib/deploy.mjs';
import { dismissToasts, openJobTab, waitForJobState, waitForToast, withSnapshot } from './lib/lab.mjs';
import { OUTPUT } from './lib/server.mjs';

const HANDLE = `def handle(conf):
    x = conf['x']  # value_type: float # description: a number
    return {'y': x * 2}  # value_type: float
`;

/** A module in the user catalog whose parameter table has long values. */
function writeWideModule(catalogDir) {
  const dir = path.join(catalogDir, 'modules', 'tester', 'wide_module', '1.0.0');
  fs.mkdirSync(dir, { recursive: true });
  const long = 'datasets/' + 'a_very_long_folder_name_without_spaces_'.repeat(8) + 'end.csv';
  const words = 'A long parameter description that goes on and on about what the value means. '.repeat(6);
  fs.writeFileSync(
    path.join(dir, 'module_spec.yml'),
    [
      'name: wide_module',
      'version: 1.0.0',
      `description: "${words.trim()}"`,
      'input:',
      '  predict:',
      '    data_path:',
      '      value_type: str',
      `      default_value: "${long}"`,
      `      des: "${words.trim()}"`,
      'output:',
      '  predict:',
      '    label:',
      '      value_type: str',
      ''
    ].join('\n')
  );
  fs.writeFileSync(path.join(dir, 'main.py'), 'class WideModule:\n    def predict(self, conf):\n        return {"label": "x"}\n');
  fs.writeFileSync(path.join(dir, 'README.md'), '# wide_module\n');
}

const next = page => page.locator(`${WIZARD} [data-testid="mo-deploy-next"]`);

/** Close the wizard tabs (each test opens its own; WIZARD must match one). */
async function closeWizards(page) {
  await page.evaluate(() => {
    for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
      if (w.node.querySelector('.mo-DeployWizard')) {
        w.close();
      }
    }
  });
  await page.waitForSelector(WIZARD, { state: 'detached' });
}

async function shot(page, name) {
  fs.mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT, `${name}.png`) });
}

/** Widths of `selector` and of the main area, and whether `selector` overflows sideways. */
function widths(page, selector) {
  return page.$eval(selector, el => {
    // the dock panel's inner width (JupyterLab pads it; a tab fills the rest)
    const dock = document.querySelector('#jp-main-dock-panel');
    const cs = getComputedStyle(dock);
    const inner = dock.getBoundingClientRect().width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    return { el: el.getBoundingClientRect().width, main: inner, overflow: el.scrollWidth - el.clientWidth };
  });
}

describe('wizard flow', () => {
  const lab = useLab(
    () => {
      // the catalog is indexed when the server starts: the module is there before
      const catalogDir = makeCatalogDir();
      writeWideModule(catalogDir);
      return startCatalogServer({ name: 'wizard-flow', catalogDir });
    },
    {
      prepare: async server => {
        fs.mkdirSync(path.join(server.root, 'results'), { recursive: true });
        fs.writeFileSync(path.join(server.root, 'results', 'my_model.txt'), 'weights');
        fs.writeFileSync(path.join(server.root, 'results', 'other.bin'), 'other');
        await createNotebook(server, 'flow.ipynb', [{ markdown: '# Flow' }, 'import math', HANDLE]);
        await createNotebook(server, 'two.ipynb', [
          { markdown: '# Two handles' },
          'import math',
          HANDLE,
          HANDLE.replace("{'y'", "{'z'"),
          'broken = (1,'
        ]);
      },
      ready: ({ page }) => openNotebook(page, 'flow.ipynb'),
      openOptions: { width: 1280, height: 850 }
    }
  );

  it('step 3 and the deploy use the edited handler.py, not the generated one', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'wizard-flow-edit', async () => {
      await openDeployWizard(page, { path: 'flow.ipynb' });
      await gotoStep(page, 'next', 'handler');
      const text = page.locator(`${WIZARD} [data-testid="mo-deploy-handler-text"]`);
      const generated = await text.inputValue();
      assert.match(generated, /conf\['x'\]/);
      // rename the input, add one, and read a file the cells never named
      const edited = generated
        .replace("conf['x']  # value_type: float", "conf['size']  # value_type: float")
        .replace(
          'def handle(conf):\n',
          "weights = open('results/other.bin').read()\n\n\ndef handle(conf):\n    scale = conf.get('scale', 3)  # value_type: int # description: how much\n"
        );
      assert.notEqual(edited, generated);
      // an edit that breaks the code is caught here, on step 2
      await text.fill(generated + '\n\ndef handle(conf):\n    return {}\n');
      const problems = page.locator(`${WIZARD} [data-testid="mo-deploy-handler-problems"]`, {
        hasText: /2 def handle in handler\.py/
      });
      await problems.waitFor();
      assert.equal(await next(page).isDisabled(), true, 'Next is closed on step 2');
      await text.fill(edited);
      // Next waits for the edited text's scan
      await page.locator(`${WIZARD} [data-testid="mo-deploy-next"]:not([disabled])`).waitFor();
      await gotoStep(page, 'next', 'params');
      await page.locator(`${WIZARD} [data-testid="mo-deploy-input-size"]`).waitFor();
      await page.locator(`${WIZARD} [data-testid="mo-deploy-input-scale"]`).waitFor();
      assert.equal(await page.locator(`${WIZARD} [data-testid="mo-deploy-input-x"]`).count(), 0, 'the old input is gone');
      assert.equal(await page.locator(`${WIZARD} [data-testid="mo-deploy-input-scale-type"]`).inputValue(), 'int');

      await gotoStep(page, 'next', 'deploy');
      const yaml = await page.locator(`${WIZARD} [data-testid="mo-deploy-yaml"]`).innerText();
      assert.match(yaml, /size:/);
      assert.match(yaml, /scale:/);
      assert.doesNotMatch(yaml, /\n {2}x:/);
      // the file the edited handler reads is checked, the one it does not read is not
      assert.equal(await page.locator(`${WIZARD} [data-testid="mo-deploy-file-results/other.bin"]`).isChecked(), true);
      assert.equal(await page.locator(`${WIZARD} [data-testid="mo-deploy-file-results/my_model.txt"]`).isChecked(), false);

      await page.locator(`${WIZARD} [data-testid="mo-deploy-deploy"]`).click();
      await waitForToast(page, /Deployed /, 90000);
      assert.equal(fs.readFileSync(path.join(server.root, 'handler.py'), 'utf8'), edited, 'handler.py is the edited text');
      const spec = fs.readFileSync(path.join(server.root, 'app_spec.yml'), 'utf8');
      assert.match(spec, /size:/);
      assert.doesNotMatch(spec, /\n {2}x:/);
      const { services } = await server.api('mo/api/services');
      const svc = services.find(s => s.id.startsWith('flow'));
      assert.ok(svc && svc.state === 'running', JSON.stringify(services));
      assert.ok(svc.files.some(f => f.includes('other.bin')), `deployed files: ${svc.files}`);
      await dismissToasts(page);
      await closeWizards(page);
    });
  });

  it('two handles or a syntax error stop the wizard on step 1, numbered as the cards', async () => {
    const { page } = lab;
    await withSnapshot(page, 'wizard-flow-errors', async () => {
      await openNotebook(page, 'two.ipynb');
      await openDeployWizard(page, { path: 'two.ipynb' });
      const blocking = page.locator(`${WIZARD} [data-testid="mo-deploy-cells-blocking"]`);
      await blocking.waitFor();
      assert.equal(await next(page).isDisabled(), true, 'Next is disabled on step 1');
      const message = await blocking.innerText();
      assert.match(message, /2 def handle in the selected cells/);
      // the numbers in the message are the numbers on the cards (markdown counts: cells 3 and 4)
      const named = [...message.matchAll(/cell (\d+) line/g)].map(m => Number(m[1]));
      const cards = await page.$$eval(`${WIZARD} .mo-Deploy-cell`, rows =>
        rows.map(r => ({ index: Number(r.dataset.index), label: r.querySelector('.mo-Deploy-cellLabel').textContent }))
      );
      const handleCards = cards.filter(c => [2, 3].includes(c.index)).map(c => Number(c.label.replace(/\D/g, '')));
      assert.deepEqual(named, handleCards, `message ${message} vs cards ${JSON.stringify(cards)}`);
      assert.deepEqual(named, [3, 4]);
      // the problem's place and the card's error badge agree too
      assert.match(message, /cell 4, line 1/);
      await page.locator(`${WIZARD} [data-testid="mo-deploy-cell-3-error"]`).waitFor();
      assert.match(await page.locator(`${WIZARD} [data-testid="mo-deploy-cell-3"] .mo-Deploy-cellLabel`).innerText(), /Cell 4/);
      await shot(page, 'wizard-flow-step1-errors');

      // one handle left: Next goes on
      await page.locator(`${WIZARD} [data-testid="mo-deploy-cell-3-check"]`).uncheck();
      await waitForScan(page);
      await blocking.waitFor({ state: 'detached' });
      assert.equal(await next(page).isDisabled(), false);

      // a selected cell that does not parse: blocked again, with its card's number
      await page.locator(`${WIZARD} [data-testid="mo-deploy-cell-4-check"]`).check();
      await waitForScan(page);
      await blocking.waitFor();
      assert.match(await blocking.innerText(), /syntax error[\s\S]*cell 5, line 1/);
      await page.locator(`${WIZARD} [data-testid="mo-deploy-cell-4-error"]`).waitFor();
      assert.equal(await next(page).isDisabled(), true);

      // no handle selected at all
      await page.locator(`${WIZARD} [data-testid="mo-deploy-select-none"]`).click();
      await page.locator(`${WIZARD} [data-testid="mo-deploy-cell-1-check"]`).check();
      await waitForScan(page);
      assert.match(await blocking.innerText(), /no def handle\(conf\) in the selected cells/);
      assert.equal(await next(page).isDisabled(), true);
      assert.deepEqual(
        (await wizardCells(page)).filter(c => c.selected).map(c => c.index),
        [1]
      );
      await closeWizards(page);
    });
  });

  it('the wizard and module details use the full width; wide tables scroll in their box', async () => {
    const { page } = lab;
    await withSnapshot(page, 'wizard-flow-width', async () => {
      await page.setViewportSize({ width: 1280, height: 850 });
      await openNotebook(page, 'flow.ipynb');
      await openDeployWizard(page, { path: 'flow.ipynb' });
      await gotoStep(page, 'next', 'handler');
      await gotoStep(page, 'next', 'params');
      let w = await widths(page, '.mo-DeployWizard:not(.lm-mod-hidden)');
      assert.ok(Math.abs(w.el - w.main) <= 2, `wizard ${w.el}px in a main area of ${w.main}px`);
      await shot(page, 'wizard-flow-1280-wizard');

      // 900 px with the file browser open: the inputs table scrolls inside its box, the wizard does not
      await page.setViewportSize({ width: 900, height: 850 });
      await execute(page, 'filebrowser:activate');
      await page.waitForFunction(() => document.querySelector('#jp-main-dock-panel').getBoundingClientRect().width < 700);
      const scroll = `${WIZARD} [data-testid="mo-deploy-inputs-scroll"]`;
      const box = await page.$eval(scroll, el => {
        const before = el.scrollLeft;
        el.scrollLeft = 80;
        return { over: el.scrollWidth - el.clientWidth, moved: el.scrollLeft - before, style: getComputedStyle(el).overflowX };
      });
      assert.ok(box.over > 0 && box.moved > 0 && box.style === 'auto', `inputs table box: ${JSON.stringify(box)}`);
      w = await widths(page, `${WIZARD} .mo-DeployWizard-body`);
      assert.ok(w.overflow <= 1, `the wizard body does not scroll sideways (${JSON.stringify(w)})`);
      await shot(page, 'wizard-flow-900-wizard');

      // module details: full width, long values wrap, nothing overflows the tab
      await page.setViewportSize({ width: 1280, height: 850 });
      await execute(page, 'mo:open-module', { id: 'tester/wide_module' });
      const details = await waitForDetails(page, 'module', 'tester/wide_module');
      await details.locator('[data-testid="mo-param-table"]').first().waitFor();
      for (const width of [1280, 900]) {
        await page.setViewportSize({ width, height: 850 });
        await page.waitForFunction(
          v => Math.abs(document.querySelector('#jp-main-dock-panel').getBoundingClientRect().right - v) < 40,
          width
        );
        w = await widths(page, '.mo-ModuleDetails:not(.lm-mod-hidden)');
        assert.ok(Math.abs(w.el - w.main) <= 2, `details ${w.el}px in a main area of ${w.main}px at ${width}`);
        assert.ok(w.overflow <= 1, `details tab overflows sideways by ${w.overflow}px at ${width}`);
        // the long default and description wrap (the table stays near the section's width); what
        // still does not fit scrolls inside the section
        const inside = await page.$eval('.mo-ModuleDetails:not(.lm-mod-hidden) .mo-ModuleParams', s => {
          const table = s.querySelector('table').getBoundingClientRect().width;
          const range = document.createRange();
          range.selectNodeContents(s.querySelector('td.mo-ParamTable-default'));
          return {
            table,
            section: s.clientWidth,
            over: s.scrollWidth - s.clientWidth,
            overflowX: getComputedStyle(s).overflowX,
            wrapped: range.getClientRects().length > 1 // more than one line box
          };
        });
        assert.ok(inside.wrapped && inside.table < inside.section * 1.2, `long values wrap at ${width}: ${JSON.stringify(inside)}`);
        assert.ok(inside.over <= 1 || inside.overflowX === 'auto', `the section scrolls what does not fit: ${JSON.stringify(inside)}`);
        await shot(page, `wizard-flow-${width}-module`);
      }
      await page.setViewportSize({ width: 1280, height: 850 });
    });
  });

  it('dataset and job details use the full width and wrap long values at 900 px', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'wizard-flow-details', async () => {
      const long = 'a_long_argument_without_any_spaces_'.repeat(6);
      fs.writeFileSync(path.join(server.root, 'args.py'), 'import sys\nprint(sys.argv)\n');
      const job = await server.api('mo/api/jobs', { method: 'POST', body: { path: 'args.py', args: [long, long] } });
      await execute(page, 'mo:open-job', { id: job.id });
      await waitForJobState(page, job.id, 'completed');
      await openJobTab(page, job.id, 'details');
      await execute(page, 'mo:open-dataset', { id: 'mo/mnist' });
      await waitForDetails(page, 'dataset', 'mo/mnist');
      for (const width of [1280, 900]) {
        await page.setViewportSize({ width, height: 850 });
        await page.waitForFunction(
          v => Math.abs(document.querySelector('#jp-main-dock-panel').getBoundingClientRect().right - v) < 40,
          width
        );
        let w = await widths(page, '.mo-DatasetDetails:not(.lm-mod-hidden)');
        assert.ok(Math.abs(w.el - w.main) <= 2 && w.overflow <= 1, `dataset details at ${width}: ${JSON.stringify(w)}`);
        await shot(page, `wizard-flow-${width}-dataset`);
        await execute(page, 'mo:open-job', { id: job.id });
        await page.locator(`#mo-job-${job.id} .mo-JobDetails-table`).waitFor();
        w = await widths(page, `#mo-job-${job.id} .mo-JobDetails`);
        assert.ok(w.el >= w.main - 4 && w.overflow <= 1, `job details at ${width}: ${JSON.stringify(w)}`);
        await shot(page, `wizard-flow-${width}-job`);
        await execute(page, 'mo:open-dataset', { id: 'mo/mnist' });
      }
      await page.setViewportSize({ width: 1280, height: 850 });
    });
  });

  it('the Launcher has the Mo cards; the Jobs icon is not the ToC icon; the Deploy header matches', async () => {
    const { page } = lab;
    await withSnapshot(page, 'wizard-flow-launcher', async () => {
      await execute(page, 'launcher:create');
      const section = page.locator('.jp-Launcher-section', { has: page.locator('.jp-Launcher-sectionTitle', { hasText: /^Mo$/ }) });
      await section.waitFor();
      const labels = await section.locator('.jp-LauncherCard-label').allInnerTexts();
      for (const want of ['Create Job…', 'Deploy…', 'Jobs', 'New Module…', 'New Project']) {
        assert.ok(labels.some(l => l.trim() === want), `Launcher Mo cards: ${JSON.stringify(labels)}`);
      }
      await shot(page, 'wizard-flow-launcher');
      // Jobs opens the Jobs sidebar; Create Job… opens the dialog
      await section.locator('.jp-LauncherCard', { hasText: /^Jobs$/ }).click();
      await page.locator('#mo-jobs-sidebar:not(.lm-mod-hidden)').waitFor();
      await section.locator('.jp-LauncherCard', { hasText: 'Create Job…' }).click();
      const dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-CreateJob-path') });
      await dialog.waitFor();
      await dialog.locator('.jp-Dialog-button.jp-mod-reject').click();
      await dialog.waitFor({ state: 'detached' });
      // Deploy… opens the wizard of the last active notebook
      const current = await page.evaluate(() => {
        const nb = Array.from(window.jupyterapp.shell.widgets('main')).filter(w => w.context?.path?.endsWith('.ipynb'));
        return nb.map(w => w.context.path);
      });
      await page.locator('.jp-Launcher-section .jp-LauncherCard', { hasText: 'Deploy…' }).first().click();
      await page.locator(`${WIZARD}[data-loading="false"]`).waitFor();
      const deployed = await page.$eval(WIZARD, el => el.closest('.mo-DeployWizard').dataset.path);
      assert.ok(current.includes(deployed), `wizard of ${deployed}, open notebooks ${current}`);
      await closeWizards(page);

      // the Jobs tab's icon differs from the Table of Contents' (light and dark)
      const icon = id => page.$eval(`.jp-SideBar .lm-TabBar-tab[data-id="${id}"] svg`, s => s.innerHTML);
      const jobs = await icon('mo-jobs-sidebar');
      const toc = await icon('table-of-contents');
      assert.notEqual(jobs, toc);
      const bars = (jobs.match(/h1\d(\.\d)?v3H/g) ?? []).length;
      assert.equal(bars, 0, 'no stacked horizontal bars (the ToC look)');
      const fill = () =>
        page.$eval('.jp-SideBar .lm-TabBar-tab[data-id="mo-jobs-sidebar"] svg .jp-icon3', g => getComputedStyle(g).fill);
      const lightFill = await fill();
      await execute(page, 'apputils:change-theme', { theme: 'JupyterLab Dark' });
      await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'false');
      await page.waitForFunction(f => {
        const g = document.querySelector('.jp-SideBar .lm-TabBar-tab[data-id="mo-jobs-sidebar"] svg .jp-icon3');
        return getComputedStyle(g).fill !== f;
      }, lightFill);
      await page.locator('.jp-SideBar').first().screenshot({ path: path.join(OUTPUT, 'wizard-flow-sidebar-dark.png') });
      await execute(page, 'apputils:change-theme', { theme: 'JupyterLab Light' });
      await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'true');
      await page.locator('.jp-SideBar').first().screenshot({ path: path.join(OUTPUT, 'wizard-flow-sidebar-light.png') });

      // the Deploy sidebar's header: the Jobs sidebar's height, title font and place
      const header = async id => {
        await page.evaluate(i => window.jupyterapp.shell.activateById(i), id);
        await page.locator(`#${id}:not(.lm-mod-hidden) .mo-Sidebar-header`).waitFor();
        return page.$eval(`#${id} .mo-Sidebar-header`, h => {
          const r = h.getBoundingClientRect();
          const t = h.querySelector('.mo-Sidebar-title');
          const tr = t.getBoundingClientRect();
          const cs = getComputedStyle(t);
          return { height: Math.round(r.height), left: Math.round(tr.left - r.left), mid: Math.round(tr.top + tr.height / 2 - r.top), font: cs.fontSize + ' ' + cs.fontWeight + ' ' + cs.textTransform };
        });
      };
      const jobsHead = await header('mo-jobs-sidebar');
      const deployHead = await header('mo-deploy-sidebar');
      await shot(page, 'wizard-flow-deploy-sidebar');
      assert.deepEqual(deployHead, jobsHead, 'Deploy header vs Jobs header');
    });
  });
});
