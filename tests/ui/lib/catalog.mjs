// Helpers of the catalog browser tests: a server on a fresh catalog folder,
// notebooks made over REST, the Modules / Datasets sidebars, notebook cells.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { execute } from './browser.mjs';
import { startServer } from './server.mjs';

/** A fresh, empty user catalog folder (the built-in catalog comes after it). */
export function makeCatalogDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mo-ui-catalog-'));
  fs.mkdirSync(path.join(dir, 'modules'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'datasets'), { recursive: true });
  return dir;
}

/** startServer() with `--MoJupyterApp.catalogs=["<dir>"]`; the dir is removed with the server. */
export async function startCatalogServer({ name, catalogDir = makeCatalogDir(), extraArgs = [], ...rest } = {}) {
  const server = await startServer({
    name,
    ...rest,
    extraArgs: [`--MoJupyterApp.catalogs=${JSON.stringify([catalogDir])}`, ...extraArgs]
  });
  server.catalogDir = catalogDir;
  server.tempDirs.push(catalogDir);
  return server;
}

/**
 * Create a notebook with a python3 kernelspec (no "Select Kernel" dialog) over REST: `cells` are
 * code sources, or `{ markdown: text }` for a markdown cell.
 */
export async function createNotebook(server, nbPath, cells = ['']) {
  const content = {
    cells: cells.map(c =>
      typeof c === 'string'
        ? { cell_type: 'code', source: c, metadata: {}, outputs: [], execution_count: null }
        : { cell_type: 'markdown', source: c.markdown, metadata: {} }
    ),
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
  await server.api(`api/contents/${nbPath}`, { method: 'PUT', body: { type: 'notebook', format: 'json', content } });
}

/** Open a notebook and wait until it is the notebook tracker's current one, its model loaded. */
export async function openNotebook(page, nbPath) {
  await execute(page, 'docmanager:open', { path: nbPath });
  await page.waitForFunction(p => {
    const w = window.jupyterapp.shell.currentWidget;
    return w?.context?.path === p && w.context.isReady && w.content?.widgets?.length > 0;
  }, nbPath);
}

/** The cells of the notebook at `nbPath`: [{type, source, outputs (text)}], and the active index. */
export function notebookCells(page, nbPath) {
  return page.evaluate(p => {
    const w = Array.from(window.jupyterapp.shell.widgets('main')).find(x => x.context?.path === p);
    if (!w) {
      return null;
    }
    const cells = w.content.widgets.map(c => {
      const outputs = c.model.type === 'code' ? c.model.outputs.toJSON() : [];
      const text = outputs
        .map(o => o.text ?? o.data?.['text/plain'] ?? o.evalue ?? '')
        .map(t => (Array.isArray(t) ? t.join('') : String(t)))
        .join('\n');
      return { type: c.model.type, source: c.model.sharedModel.getSource(), outputs: text, outputTypes: outputs.map(o => o.output_type) };
    });
    return { cells, active: w.content.activeCellIndex };
  }, nbPath);
}

/** Show a catalog sidebar (mo:open-modules / mo:open-datasets) and type a search. */
export async function searchSidebar(page, which, query) {
  const id = which === 'modules' ? 'mo-modules-sidebar' : 'mo-datasets-sidebar';
  await execute(page, which === 'modules' ? 'mo:open-modules' : 'mo:open-datasets');
  const root = `#${id} .mo-CatalogSidebar-content`;
  await page.waitForSelector(root, { state: 'visible' });
  const same = (await page.getAttribute(root, 'data-query')) === query;
  const before = same ? -1 : Number(await page.getAttribute(root, 'data-generation'));
  await page.fill(`#${id} .mo-CatalogSearch-input`, query);
  // an answer for this query (the debounce waits ~150 ms after the last key)
  await page.waitForFunction(
    ([sel, q, gen]) => {
      const el = document.querySelector(sel);
      return el && el.dataset.query === q && el.dataset.loading === 'false' && Number(el.dataset.generation) > gen;
    },
    [root, query, before]
  );
  return page.locator(`#${id}`);
}

/** The details tab of a module / dataset once loaded. */
export async function waitForDetails(page, kind, id) {
  const widgetId = `mo-${kind}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const content = kind === 'module' ? '.mo-ModuleDetails-content' : '.mo-DatasetDetails-content';
  await page.waitForSelector(`#${widgetId}:not(.lm-mod-hidden) ${content}[data-state="ready"]`);
  return page.locator(`#${widgetId}`);
}
