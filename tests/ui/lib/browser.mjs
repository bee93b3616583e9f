// Launch Debian Chromium through playwright-core and open JupyterLab.
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

import { OUTPUT } from './server.mjs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * playwright gives every launch() a fresh, empty temporary profile (it
 * refuses an explicit --user-data-dir), so the flags below are the rest of
 * the documented set.
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  });
}

/**
 * A new page on JupyterLab, resolved once the app has started and restored
 * its layout. Console errors and page errors are collected in `page.errors`.
 */
export async function openLab(browser, server, { width = 1400, height = 850, locale } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    ...(locale ? { locale } : {})
  });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', err => page.errors.push(`pageerror: ${err.message}`));
  page.on('console', msg => {
    if (msg.type() === 'error') {
      page.errors.push(`console: ${msg.text()}`);
    }
  });
  page.setDefaultTimeout(30000);
  await page.goto(server.labUrl);
  await waitForLab(page);
  return page;
}

/**
 * The set-up every test file shares: registers the current describe's
 * `before` / `after` hooks and returns `lab`, whose `server`, `browser` and
 * `page` are filled once `before` has run.
 *
 * before: `start()` gives the server; `prepare(server)` (optional) runs before
 * the browser starts (notebooks, files, settings); then Chromium launches and,
 * unless `open: false`, `openLab(browser, server, openOptions)` gives the page;
 * `ready(lab)` (optional) runs last (e.g. open a notebook).
 * after: closes the browser, then stops the server (which deletes its
 * services and stops its jobs).
 */
export function useLab(start, { prepare, ready, open = true, openOptions } = {}) {
  const lab = { server: undefined, browser: undefined, page: undefined };
  before(async () => {
    lab.server = await start();
    await prepare?.(lab.server);
    lab.browser = await launchBrowser();
    if (open) {
      lab.page = await openLab(lab.browser, lab.server, openOptions);
    }
    await ready?.(lab);
  });
  after(async () => {
    await lab.browser?.close();
    await lab.server?.stop();
  });
  return lab;
}

export async function waitForLab(page) {
  await page.waitForFunction(() => window.jupyterapp && window.jupyterapp.shell, null, { timeout: 60000 });
  await page.evaluate(() => window.jupyterapp.restored);
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached', timeout: 30000 });
  await page.waitForSelector('#mo-jobs-sidebar', { state: 'attached', timeout: 30000 });
}

/** Run a JupyterLab command in the page; resolves to a JSON-able result. */
export function execute(page, command, args = {}) {
  return page.evaluate(
    async ([c, a]) => {
      const r = await window.jupyterapp.commands.execute(c, a);
      // widgets are not serialisable: return only plain data
      if (r && typeof r === 'object' && 'id' in r && typeof r.id === 'string') {
        return { id: r.id, state: r.state };
      }
      return typeof r === 'string' || typeof r === 'number' ? r : null;
    },
    [command, args]
  );
}

/** Poll an integer DOM attribute until `pred(value)` holds; returns the value. */
export async function waitForAttr(page, selector, attr, pred, { timeout = 30000, label } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await page.$eval(selector, (el, a) => el.getAttribute(a), attr).catch(() => undefined);
    if (last !== undefined && pred(last)) {
      return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`timeout waiting for ${label ?? `${selector}[${attr}]`}; last value: ${last}`);
    }
    await page.waitForTimeout(100);
  }
}

/** Save a screenshot of a failing page under tests/ui/test-output/. */
export async function snapshotOnFailure(page, name) {
  if (!page) {
    return;
  }
  try {
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, `${name}.png`) });
    fs.writeFileSync(path.join(OUTPUT, `${name}.errors.txt`), (page.errors ?? []).join('\n'));
  } catch {
    // the page may be gone
  }
}
