// The Log tab with 100k lines: all of them arrive (in batches), only a window of
// rows is in the DOM, it follows the tail, and the last line is shown. A \r
// progress bar shows its newest state while it runs, its last when it ends;
// ANSI colours are drawn, not shown raw.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab, waitForAttr } from './lib/browser.mjs';
import { openJobTab, waitForJobState, withSnapshot } from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const LINES = 100_000;
// a bar that waits at 50% until the file `go` exists, then ends; a coloured line
const BAR =
  'import os, sys, time\n' +
  "sys.stderr.write('\\x1b[32mgreen\\x1b[0m and \\x1b[1;31mbold red\\x1b[0m\\n')\n" +
  'for p in (10, 50):\n' +
  "    sys.stdout.write(f'\\rtraining {p:3d}%|' + '#' * (p // 10)); sys.stdout.flush(); time.sleep(0.3)\n" +
  "while not os.path.exists('go'):\n" +
  '    time.sleep(0.05)\n' +
  "sys.stdout.write('\\rtraining 100%|##########\\n')\n";

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

  it('shows a \\r progress bar live and ANSI colours as colours', async () => {
    const { page, server } = lab;
    fs.writeFileSync(path.join(server.root, 'bar.py'), BAR);
    await withSnapshot(page, 'log-progress', async () => {
      const job = await server.api('mo/api/jobs', { method: 'POST', body: { path: 'bar.py' } });
      await execute(page, 'mo:open-job', { id: job.id });
      await openJobTab(page, job.id, 'log');
      const view = `#mo-job-${job.id} .mo-LogView`;
      // while the job runs, before any newline: the bar's newest state
      await page.waitForFunction(
        sel => document.querySelector(sel)?.dataset.progress === 'training  50%|#####',
        view,
        { timeout: 30000 }
      );
      assert.equal((await server.api(`mo/api/jobs/${job.id}`)).state, 'running');
      assert.equal(await page.getAttribute(view, 'data-lines'), '1');
      fs.writeFileSync(path.join(server.root, 'go'), '');
      await waitForJobState(page, job.id, 'completed', 30000);
      await waitForAttr(page, view, 'data-lines', v => Number(v) === 2, { label: 'the bar line' });
      await page.waitForFunction(sel => document.querySelector(sel)?.dataset.progress === undefined, view);
      const texts = await page.locator(`${view} .mo-LogLine-text`).allTextContents();
      assert.deepEqual(texts, ['green and bold red', 'training 100%|##########']);
      const green = page.locator(`${view} .mo-LogLine-text span.ansi-green-fg`);
      assert.equal(await green.textContent(), 'green');
      assert.equal(await page.locator(`${view} .mo-LogLine-text span.ansi-red-fg.ansi-bold`).textContent(), 'bold red');
      // the raw bytes stay in the raw log
      const log = await server.api(`mo/api/jobs/${job.id}/log`);
      assert.ok(log.text.includes('\rtraining  10%|#\rtraining  50%|#####\rtraining 100%'), JSON.stringify(log.text));
    });
  });
});
