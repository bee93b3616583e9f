// Polish of the extension's UI (issue 10, section 6): the Metrics tab picks
// the step axis for step-numbered lines, its chart spans and follows the
// panel's width, its idle legend shows values (not "-"); the "builtin" badge
// reaches WCAG AA contrast in the light and the dark theme; opening and
// closing a module details tab logs no console error or warning.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab, waitForAttr } from './lib/browser.mjs';
import { searchSidebar, startCatalogServer, waitForDetails } from './lib/catalog.mjs';
import { openJobTab, waitForJobState, withSnapshot } from './lib/lab.mjs';

const LINES = 2000;
const STEPS = `import json
for i in range(${LINES}):
    print(json.dumps({"metric": "loss", "value": 1.0 / (i + 1), "step": i}))
`;

/** Console errors and warnings logged while `fn` runs (after its effects settle). */
async function consoleDuring(page, fn) {
  const seen = [];
  const listen = msg => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      seen.push(`${msg.type()}: ${msg.text()}`);
    }
  };
  const onError = err => seen.push(`pageerror: ${err.message}`);
  page.on('console', listen);
  page.on('pageerror', onError);
  try {
    await fn();
    // two animation frames: React's and the extension's deferred work ran
    await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
  } finally {
    page.off('console', listen);
    page.off('pageerror', onError);
  }
  return seen;
}

/** WCAG contrast ratio of an element's text against its first opaque background. */
function contrast(page, selector) {
  return page.$eval(selector, el => {
    const rgba = css => {
      const probe = document.createElement('div');
      probe.style.color = css;
      document.body.appendChild(probe);
      const v = getComputedStyle(probe).color.match(/[\d.]+/g).map(Number);
      probe.remove();
      return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
    };
    const lum = ([r, g, b]) => {
      const c = x => ((x /= 255) <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
      return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
    };
    let bg = null;
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] >= 0.99) {
        bg = c;
        break;
      }
    }
    bg = bg ?? [255, 255, 255, 1];
    const fg = rgba(getComputedStyle(el).color);
    // blend a translucent text colour over its background
    const text = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
    const [a, b] = [lum(text), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
}

async function switchTheme(page, theme, light) {
  await execute(page, 'apputils:change-theme', { theme });
  await page.waitForFunction(l => document.body.dataset.jpThemeLight === l, String(light));
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
  // the theme's CSS is in: its layout colour is on the body
  await page.waitForFunction(
    l => (getComputedStyle(document.body).getPropertyValue('--jp-layout-color1').trim() === 'white') === l,
    light
  );
}

describe('polish', () => {
  const lab = useLab(() => startCatalogServer({ name: 'polish' }));

  it('closing a module details tab logs no console error or warning', async () => {
    const { page } = lab;
    await withSnapshot(page, 'polish-close', async () => {
      const seen = await consoleDuring(page, async () => {
        const sidebar = await searchSidebar(page, 'modules', 'iris');
        await sidebar.locator('.mo-ModuleRow[data-id="mo/iris_classifier"]').click();
        const details = await waitForDetails(page, 'module', 'mo/iris_classifier');
        await details.locator('[data-testid="mo-module-readme"][data-rendered="true"]').waitFor();
        await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon').click();
        await details.waitFor({ state: 'detached' });
      });
      assert.deepEqual(seen, [], 'console errors / warnings while opening and closing the tab');
    });
  });

  it('the "builtin" badge reaches WCAG AA contrast in the light and the dark theme', async () => {
    const { page } = lab;
    await withSnapshot(page, 'polish-badge', async () => {
      const sidebar = await searchSidebar(page, 'modules', 'iris');
      const badge = '#mo-modules-sidebar .mo-ModuleRow[data-id="mo/iris_classifier"] .mo-Badge-catalog.mo-mod-builtin';
      await sidebar.locator('.mo-ModuleRow[data-id="mo/iris_classifier"] .mo-Badge-catalog').waitFor();
      const light = await contrast(page, badge);
      await switchTheme(page, 'JupyterLab Dark', false);
      const dark = await contrast(page, badge);
      await switchTheme(page, 'JupyterLab Light', true);
      assert.ok(light >= 4.5, `light theme: builtin badge contrast ${light.toFixed(2)}:1 >= 4.5:1`);
      assert.ok(dark >= 4.5, `dark theme: builtin badge contrast ${dark.toFixed(2)}:1 >= 4.5:1`);
    });
  });

  it('Metrics: step axis by default, full-width chart that follows the panel, idle legend shows values', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'polish-metrics', async () => {
      fs.writeFileSync(path.join(server.root, 'steps.py'), STEPS);
      const job = await server.api('mo/api/jobs', { method: 'POST', body: { path: 'steps.py' } });
      await execute(page, 'mo:open-job', { id: job.id });
      await waitForJobState(page, job.id, 'completed');
      await openJobTab(page, job.id, 'metrics');
      const root = `#mo-job-${job.id}`;
      const chart = `${root} .mo-MetricChart[data-metric="loss"]`;
      await waitForAttr(page, chart, 'data-points', v => Number(v) === LINES);
      assert.equal(await page.inputValue(`${root} .mo-MetricsPanel-xaxis`), 'step', 'x axis defaults to step');

      // the one chart spans the panel, its canvas fits inside the chart
      const sizes = () =>
        page.evaluate(sel => {
          const c = document.querySelector(sel);
          const charts = c.parentElement.getBoundingClientRect().width;
          const inner = c.querySelector('.mo-MetricChart-plot').getBoundingClientRect().width;
          const canvas = c.querySelector('canvas').getBoundingClientRect().width;
          return { charts, chart: c.getBoundingClientRect().width, inner, canvas };
        }, chart);
      const wide = await sizes();
      assert.ok(wide.chart >= wide.charts - 1, `the chart spans the panel (${JSON.stringify(wide)})`);
      assert.ok(wide.canvas <= wide.inner + 0.5 && wide.canvas >= wide.inner - 4, `canvas fills the chart (${JSON.stringify(wide)})`);
      await page.setViewportSize({ width: 900, height: 850 });
      await page.waitForFunction(
        ([sel, before]) => {
          const c = document.querySelector(sel);
          const w = c.querySelector('canvas').getBoundingClientRect().width;
          return w < before - 100 && w <= c.querySelector('.mo-MetricChart-plot').getBoundingClientRect().width + 0.5;
        },
        [chart, wide.canvas]
      );
      await page.setViewportSize({ width: 1400, height: 850 });
      await page.waitForFunction(
        ([sel, before]) => Math.abs(document.querySelector(sel).querySelector('canvas').getBoundingClientRect().width - before) < 2,
        [chart, wide.canvas]
      );

      // nothing hovered: the legend shows the last point, never "-"
      await page.mouse.move(1, 1);
      const legend = await page.$$eval(`${chart} .u-legend .u-value`, els => els.map(e => e.textContent));
      assert.deepEqual(legend, [String(LINES - 1), (1 / LINES).toExponential(2)], 'idle legend');

      // the user's choice wins over auto, also when more points arrive
      await page.selectOption(`${root} .mo-MetricsPanel-xaxis`, 'time');
      await page.evaluate(id => {
        const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.id === `mo-job-${id}`);
        w.content.metrics.add({ metric: 'loss', value: 0.1, time: 99, step: 5000, seq: 99999 });
      }, job.id);
      await waitForAttr(page, chart, 'data-points', v => Number(v) === LINES + 1);
      assert.equal(await page.inputValue(`${root} .mo-MetricsPanel-xaxis`), 'time', 'explicit choice kept');
    });
  });
});
