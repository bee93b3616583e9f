// Helpers of the deploy wizard browser tests: open the wizard, wait for its
// scan, move between steps, read the step's state.
import { execute } from './browser.mjs';

export const WIZARD = '[data-testid="mo-deploy-wizard"]';

/** Run mo:deploy on the current notebook and wait for the first scan to be shown. */
export async function openDeployWizard(page, args = {}) {
  await execute(page, 'mo:deploy', args);
  await waitForScan(page);
}

/** Wait until the wizard is not scanning and shows cells. */
export async function waitForScan(page) {
  await page.waitForSelector(`${WIZARD}[data-loading="false"]`, { state: 'attached' });
  await page.waitForSelector(`${WIZARD} [data-testid="mo-deploy-cells"], ${WIZARD}[data-step]:not([data-step="cells"])`);
}

/** The cells step's rows: [{index, selected, magic}]. */
export function wizardCells(page) {
  return page.$$eval(`${WIZARD} .mo-Deploy-cell`, rows =>
    rows.map(r => ({
      index: Number(r.dataset.index),
      selected: r.dataset.selected === 'true',
      magic: r.dataset.magic === 'true',
      hasMagicBadge: !!r.querySelector('[data-testid$="-magic"]')
    }))
  );
}

/** Click Next (or Back) and wait for the wizard to show `step`. */
export async function gotoStep(page, button, step) {
  await page.locator(`${WIZARD} [data-testid="mo-deploy-${button}"]`).click();
  await page.waitForSelector(`${WIZARD}[data-step="${step}"]`);
}
