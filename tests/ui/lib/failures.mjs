// Helpers of the failure-message browser test (failures.test.mjs): files made over REST, jobs
// created from the file browser's menu, the deploy wizard driven to its Deploy button, the
// Deploy sidebar's Logs dialog, the end of an upload.
import { execute } from './browser.mjs';
import { createNotebook } from './catalog.mjs';
import { fileItem, showFileBrowser } from './lab.mjs';

async function makeFolders(server, filePath) {
  const parts = filePath.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    const r = await server.api(`api/contents/${dir}`, { raw: true });
    if (r.status === 404) {
      await server.api(`api/contents/${dir}`, { method: 'PUT', body: { type: 'directory' } });
    }
  }
}

/** Write a text file (its folders too) through Jupyter's contents API. */
export async function putText(server, filePath, content) {
  await makeFolders(server, filePath);
  await server.api(`api/contents/${filePath}`, { method: 'PUT', body: { type: 'file', format: 'text', content } });
}

/** createNotebook() with the notebook's folders made first. */
export async function putNotebook(server, nbPath, cells) {
  await makeFolders(server, nbPath);
  await createNotebook(server, nbPath, cells);
}

/** Poll `fn` until it returns a truthy value; throws with `label` after `timeout` ms. */
export async function until(page, fn, { timeout = 30000, label = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) {
      return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`timeout waiting for ${label}`);
    }
    await page.waitForTimeout(100);
  }
}

/** Open the file browser (at `folder`) and right-click `name`: resolves to the context menu's entry. */
export async function fileMenuEntry(page, folder, name, command) {
  await showFileBrowser(page);
  await execute(page, 'filebrowser:go-to-path', { path: `/${folder}` });
  const item = fileItem(page, name);
  await item.waitFor({ state: 'visible' });
  await item.click();
  await item.click({ button: 'right' });
  const entry = page.locator(`.lm-Menu .lm-Menu-item[data-command="${command}"]`);
  await entry.waitFor({ state: 'visible' });
  return entry;
}

/** The Create job dialog's Create button; resolves to the error dialog's text (the request refused). */
export async function createJobRefused(page) {
  const form = page.locator('.jp-Dialog', { has: page.locator('.mo-CreateJobForm') });
  await form.waitFor({ state: 'visible' });
  await form.locator('.jp-Dialog-button.jp-mod-accept').click();
  const error = page.locator('.jp-Dialog', { hasText: 'Cannot create job' });
  await error.waitFor({ state: 'visible' });
  const text = await error.locator('.jp-Dialog-body').innerText();
  await error.locator('.jp-Dialog-footer .jp-Dialog-button').click(); // Close
  // the form comes back with the values kept: cancel it
  await form.waitFor({ state: 'visible' });
  await form.locator('.jp-Dialog-button.jp-mod-reject').click();
  await form.waitFor({ state: 'detached' });
  return text;
}

/**
 * The deploy wizard of one notebook (a selector): lib/deploy.mjs's WIZARD matches every open
 * wizard, and this test keeps two open.
 */
export function wizardOf(nbPath) {
  return `[id="mo-deploy-${nbPath.replace(/[^\w.-]/g, '_')}"] [data-testid="mo-deploy-wizard"]`;
}

/** Wait until wizard `w` is not scanning and shows its cells (lib/deploy.mjs waitForScan, scoped). */
export async function waitForScanOf(page, w) {
  await page.waitForSelector(`${w}[data-loading="false"]`, { state: 'attached' });
  await page.waitForSelector(`${w} [data-testid="mo-deploy-cells"], ${w}[data-step]:not([data-step="cells"])`);
}

/** Click Next (or Back) in wizard `w` and wait for it to show `step` (lib/deploy.mjs gotoStep, scoped). */
export async function gotoStepOf(page, w, button, step) {
  await page.locator(`${w} [data-testid="mo-deploy-${button}"]`).click();
  await page.waitForSelector(`${w}[data-step="${step}"]`);
}

/** In wizard `w`: Next through cells -> handler (returns its text) -> params -> deploy. */
export async function wizardToDeployStep(page, w) {
  await gotoStepOf(page, w, 'next', 'handler');
  const handler = await page.locator(`${w} [data-testid="mo-deploy-handler-text"]`).inputValue();
  await gotoStepOf(page, w, 'next', 'params');
  await gotoStepOf(page, w, 'next', 'deploy');
  return handler;
}

/**
 * Press Deploy and wait for the wizard's status to end in `kind` (error | success); a "Replace
 * handler.py and app_spec.yml?" question on the way is answered Replace. Returns the status text.
 */
export async function pressDeploy(page, w, kind, timeout = 90000) {
  const status = `${w} [data-testid="mo-deploy-status"]`;
  const button = `${w} [data-testid="mo-deploy-deploy"]`;
  // an earlier deploy's status may still show: wait for this one to have begun (busy, or "Deploying…")
  await page.evaluate(
    ([root, btn, st]) => {
      window.__moDeployBegan = false;
      const seen = () => {
        const b = document.querySelector(btn);
        const s = document.querySelector(st);
        if ((b && b.disabled) || (s && s.dataset.kind === 'info')) {
          window.__moDeployBegan = true;
        }
      };
      new MutationObserver(seen).observe(document.querySelector(root), {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true
      });
    },
    [w, button, status]
  );
  await page.locator(button).click();
  const replace = page.locator('.jp-Dialog', { hasText: 'Replace handler.py and app_spec.yml?' });
  await until(
    page,
    async () => {
      if (await replace.isVisible()) {
        await replace.locator('.jp-Dialog-button.jp-mod-warn').click();
        await replace.waitFor({ state: 'detached' });
      }
      const began = await page.evaluate(() => window.__moDeployBegan);
      const busy = await page.locator(button).isDisabled();
      const shown = await page.locator(`${status}[data-kind="${kind}"]`).count();
      return began && !busy && shown > 0;
    },
    { timeout, label: `the wizard's ${kind} status` }
  );
  return page.locator(status).innerText();
}

/** Click a Logs button and return the Logs dialog's text (the dialog is closed again). */
export async function readLogsDialog(page, button) {
  await button.click();
  const logs = page.locator('.jp-Dialog [data-testid="mo-service-logs"]');
  await logs.waitFor({ state: 'visible' });
  const text = await logs.innerText();
  await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
  await logs.waitFor({ state: 'detached' });
  return text;
}

/** The deploy separators of a service's log: [{index (line), at (ms since the epoch)}]. */
export function separators(text, serviceId) {
  const re = new RegExp(
    `^===== ${serviceId.replace(/[-.]/g, '\\$&')} deployed at (\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d) ([+-]\\d\\d)(\\d\\d)`
  );
  return text.split('\n').flatMap((line, index) => {
    const m = re.exec(line);
    return m ? [{ index, at: Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`) }] : [];
  });
}

/** The dataset details' Upload box: choose `file`, press Upload, wait for the end of it. */
export async function upload(page, details, file) {
  const sel = `#${await details.getAttribute('id')}`;
  await details.locator('[data-testid="mo-upload-file"]').setInputFiles(file);
  await details.locator('[data-testid="mo-upload-start"]').click();
  await page.waitForSelector(
    `${sel} [data-testid="mo-upload-progress"]:is([data-phase="failed"], [data-phase="done"])`,
    { timeout: 60000 }
  );
  await page.waitForSelector(`${sel} [data-testid="mo-upload-message"]`);
  const bar = details.locator('[data-testid="mo-upload-progress"]');
  return {
    phase: await bar.getAttribute('data-phase'),
    barClass: await bar.getAttribute('class'),
    barInvalid: await bar.locator('progress').getAttribute('aria-invalid'),
    message: await details.locator('[data-testid="mo-upload-message"]').innerText(),
    messageClass: await details.locator('[data-testid="mo-upload-message"]').getAttribute('class')
  };
}
