// The Log tab with 100k lines: all of them arrive (in batches), only a window of
// rows is in the DOM, it follows the tail, and the last line is shown.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab, waitForAttr } from './lib/browser.mjs';
import { openJobTab, waitForJobState, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const LINES = 100_000;

describe('log', () => {
  const lab = useLab(() => startServer({ name: 'log' }), {
    prepare: server =>
      fs.writeFileSync(
        path.join(server.root, 'many_lines.py'),
        `import sys\nsys.stdout.write(''.join(f'line {i}\\n' for i in range(${LINES})))\n`
      )
  });

  it('shows 100k lines with a small DOM and follows the tail', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'log-100k', async () => {
      const job = await server.api('mo/api/jobs', { method: 'POST', body: { path: 'many_lines.py' } });
      await execute(page, 'mo:open-job', { id: job.id });
      await waitForJobState(page, job.id, 'completed', 60000);
      await openJobTab(page, job.id, 'log');
      const view = `#mo-job-${job.id} .mo-LogView`;
      await waitForAttr(page, view, 'data-lines', v => Number(v) >= LINES, { timeout: 60000, label: 'all lines' });
      assert.equal(Number(await page.getAttribute(view, 'data-lines')), LINES);
      const rows = await page.locator(`${view} .mo-LogLine`).count();
      assert.ok(rows > 0 && rows < 500, `only a window of rows is rendered, got ${rows}`);
      // following the tail: the last line is on screen
      await page.waitForFunction(
        sel => [...document.querySelectorAll(`${sel} .mo-LogLine-text`)].some(e => e.textContent === 'line 99999'),
        view,
        { timeout: 10000 }
      );
    });
  });
});
