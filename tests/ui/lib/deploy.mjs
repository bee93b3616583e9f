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

/**
 * On the test page the wizard opened for service `serviceId`: draw a "1" (a thick vertical stroke
 * in the middle of the pad), take the drawing as the image, Run, and return the output's text once
 * it names a digit.
 */
export async function drawDigitAndRun(page, serviceId) {
  const frame = page.frameLocator(`#mo-testpage-${serviceId} iframe`);
  const pad = frame.locator('canvas.pad');
  await pad.waitFor({ timeout: 180000 });
  const box = await pad.boundingBox();
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) {
    await page.mouse.move(x, box.y + box.height * (0.15 + 0.7 * (i / 20)));
  }
  await page.mouse.up();
  await frame.locator('#u-img').click();
  await frame.locator('button.run').click();
  const out = frame.locator('#out');
  await out.getByText(/digit/).waitFor({ timeout: 60000 });
  return out.innerText();
}
