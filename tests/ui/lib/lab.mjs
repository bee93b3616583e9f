// JupyterLab interactions shared by the tests: jobs sidebar, job widgets,
// the Create job dialog, notifications, colours.
import { execute, snapshotOnFailure } from './browser.mjs';

/** Run `fn(page)`; on failure keep a screenshot and the page's errors. */
export async function withSnapshot(page, name, fn) {
  try {
    return await fn();
  } catch (err) {
    await snapshotOnFailure(page, name);
    throw err;
  }
}

export async function showJobsSidebar(page) {
  await execute(page, 'mo:open-jobs');
  await page.waitForSelector('#mo-jobs-sidebar .mo-JobsSidebar-content', { state: 'visible' });
}

export async function showFileBrowser(page) {
  await page.evaluate(() => window.jupyterapp.shell.activateById('filebrowser'));
  await page.waitForSelector('.jp-FileBrowser .jp-DirListing-content', { state: 'visible' });
}

/** The file browser row of `name`. */
export function fileItem(page, name) {
  return page.locator('.jp-FileBrowser .jp-DirListing-item', {
    has: page.locator('.jp-DirListing-itemText', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) })
  });
}

/** Fill the open Create job dialog and press Create; resolves to the new job's id. */
export async function submitCreateJobDialog(page, { path, args }) {
  const dialog = page.locator('.jp-Dialog', { has: page.locator('.mo-CreateJobForm') });
  await dialog.waitFor({ state: 'visible' });
  if (path !== undefined) {
    const value = await dialog.locator('.mo-CreateJob-path').inputValue();
    if (value !== path) {
      throw new Error(`Create job dialog: file is "${value}", expected "${path}"`);
    }
  }
  await dialog.locator('.mo-CreateJob-args').fill(args);
  const before = await page.evaluate(() =>
    Array.from(document.querySelectorAll('.mo-JobWidget')).map(n => n.id)
  );
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  await dialog.waitFor({ state: 'detached' });
  // the command opens the new job's widget
  const handle = await page.waitForFunction(
    prev => {
      const w = Array.from(document.querySelectorAll('.mo-JobWidget')).find(n => !prev.includes(n.id));
      return w ? w.id.replace(/^mo-job-/, '') : null;
    },
    before
  );
  return handle.jsonValue();
}

export function jobRow(page, id) {
  return page.locator(`#mo-jobs-sidebar .mo-JobRow[data-job-id="${id}"]`);
}

export function jobWidget(page, id) {
  return page.locator(`#mo-job-${id}`);
}

/** Wait for the job's sidebar row and widget to show `state`. */
export async function waitForJobState(page, id, state, timeout = 30000) {
  await page.waitForSelector(`#mo-jobs-sidebar .mo-JobRow[data-job-id="${id}"][data-state="${state}"]`, {
    state: 'attached',
    timeout
  });
  await page.waitForSelector(`#mo-job-${id} .mo-JobPanel[data-state="${state}"]`, { state: 'attached', timeout });
}

/** Click a tab (log | metrics | details) of a job widget. */
export async function openJobTab(page, id, tab) {
  await page.locator(`#mo-job-${id} .lm-TabBar-tab.mo-JobTab-${tab}`).click();
  await page.waitForSelector(`#mo-job-${id} .lm-TabBar-tab.mo-JobTab-${tab}.lm-mod-current`);
}

/** Wait for a toast whose text matches `re`; returns its text. */
export async function waitForToast(page, re, timeout = 20000) {
  const toast = page.locator('.Toastify__toast', { hasText: re });
  await toast.first().waitFor({ state: 'visible', timeout });
  return toast.first().innerText();
}

/** Close every toast (so screenshots show the app, not notifications). */
export async function dismissToasts(page) {
  await page.evaluate(() => {
    for (const b of document.querySelectorAll('.Toastify__toast .jp-Notification-Toast-Close')) {
      b.click();
    }
  });
  await page.waitForFunction(() => document.querySelectorAll('.Toastify__toast').length === 0, null, {
    timeout: 10000
  });
}

/** Relative luminance (0 black .. 1 white) of a CSS colour in the page. */
export function luminance(page, selector, prop) {
  return page.$eval(
    selector,
    (el, p) => {
      const probe = document.createElement('div');
      probe.style.color = getComputedStyle(el).getPropertyValue(p) || getComputedStyle(el)[p];
      document.body.appendChild(probe);
      const rgb = getComputedStyle(probe).color.match(/[\d.]+/g).map(Number);
      probe.remove();
      const lin = c => {
        c /= 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
    },
    prop
  );
}
