// Jobs: description, environment variables and max run time in the Create Job
// dialog; Clone (the dialog filled in from a job) and Re-run (a new job with the
// same file, args and env) from the job tab and the Jobs sidebar; a job past its
// max run time ends stopped with the reason `time limit`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { execute, useLab } from './lib/browser.mjs';
import {
  jobRow,
  openJobTab,
  showJobsSidebar,
  submitCreateJobDialog,
  waitForJobState,
  withSnapshot
} from './lib/lab.mjs';
import { startServer } from './lib/server.mjs';

const GREET = "import os, sys\nprint(os.environ['GREETING'], *sys.argv[1:], flush=True)\n";
const SLOW = 'import time\nprint("sleeping", flush=True)\ntime.sleep(120)\n';

/** Poll the job's log (REST) until it contains `text`. */
async function waitForLog(server, id, text, timeout = 30000) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await server.api(`mo/api/jobs/${id}/log`)).text;
    if (last.includes(text)) {
      return last;
    }
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`job ${id}: log has no "${text}": ${JSON.stringify(last)}`);
}

function createDialog(page) {
  return page.locator('.jp-Dialog', { has: page.locator('.mo-CreateJobForm') });
}

describe('jobs: clone, re-run, max run time', () => {
  const lab = useLab(async () => {
    const server = await startServer({ name: 'jobs_clone' });
    fs.writeFileSync(path.join(server.root, 'greet.py'), GREET);
    fs.writeFileSync(path.join(server.root, 'slow.py'), SLOW);
    return server;
  });
  let first;

  it('creates a job with a description, env and max run time; Clone fills the dialog with them', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'jobs-clone-create', async () => {
      void execute(page, 'mo:create-job', { path: 'greet.py' });
      const dialog = createDialog(page);
      await dialog.waitFor({ state: 'visible' });
      const env = dialog.locator('.mo-CreateJob-env');
      const envError = dialog.locator('.mo-CreateJob-envError');
      // a bad line is explained inline and blocks nothing until Create
      await env.fill('GREETING=hi\n1BAD=x');
      await envError.waitFor({ state: 'visible' });
      assert.match(await envError.innerText(), /Line 2/);
      await env.fill('GREETING=hi');
      await envError.waitFor({ state: 'hidden' });
      await dialog.locator('.mo-CreateJob-description').fill('first greeting run');
      await dialog.locator('.mo-CreateJob-maxRun').fill('5');
      await dialog.locator('.mo-CreateJob-maxRunUnit').selectOption('minutes');
      first = await submitCreateJobDialog(page, { path: 'greet.py', args: 'there --n 1' });

      const rest = await server.api(`mo/api/jobs/${first}`);
      assert.equal(rest.description, 'first greeting run');
      assert.deepEqual(rest.env, { GREETING: 'hi' });
      assert.equal(rest.max_run_seconds, 300);
      assert.deepEqual(rest.args, ['there', '--n', '1']);
      await showJobsSidebar(page);
      await waitForJobState(page, first, 'completed');
      assert.match(await waitForLog(server, first, 'hi there'), /hi there --n 1/);

      await openJobTab(page, first, 'details');
      const details = `#mo-job-${first} .mo-JobDetails-table`;
      assert.equal(await page.locator(`${details} tr[data-field="description"] td`).innerText(), 'first greeting run');
      assert.equal(await page.locator(`${details} tr[data-field="max_run_seconds"] td`).innerText(), '5:00');

      // Clone from the job tab's toolbar: the same values, then a new job that prints hi
      await page.locator(`#mo-job-${first} .mo-JobCloneButton`).click();
      await dialog.waitFor({ state: 'visible' });
      assert.equal(await dialog.locator('.mo-CreateJob-path').inputValue(), 'greet.py');
      assert.equal(await dialog.locator('.mo-CreateJob-args').inputValue(), 'there --n 1');
      assert.equal(await env.inputValue(), 'GREETING=hi');
      assert.equal(await dialog.locator('.mo-CreateJob-description').inputValue(), 'first greeting run');
      assert.equal(await dialog.locator('.mo-CreateJob-maxRun').inputValue(), '5');
      assert.equal(await dialog.locator('.mo-CreateJob-maxRunUnit').inputValue(), 'minutes');
      assert.equal(await dialog.locator('.mo-CreateJob-machine').inputValue(), rest.machine);
      const clone = await submitCreateJobDialog(page, { path: 'greet.py', args: 'clone' });
      assert.notEqual(clone, first);
      const cloned = await server.api(`mo/api/jobs/${clone}`);
      assert.deepEqual(cloned.env, { GREETING: 'hi' });
      assert.equal(cloned.description, 'first greeting run');
      assert.equal(cloned.max_run_seconds, 300);
      await waitForJobState(page, clone, 'completed');
      assert.match(await waitForLog(server, clone, 'hi clone'), /hi clone/);
    });
  });

  it('re-runs a finished job from the sidebar row menu: a new job with the same args', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'jobs-clone-rerun', async () => {
      assert.ok(first, 'the first test created a job');
      await showJobsSidebar(page);
      const before = (await server.api('mo/api/jobs')).jobs.map(j => j.id);
      await jobRow(page, first).click({ button: 'right' });
      const entry = page.locator('.lm-Menu .lm-Menu-item[data-command="mo:rerun-job"]');
      await entry.waitFor({ state: 'visible' });
      await entry.click();
      const handle = await page.waitForFunction(
        prev => {
          const w = Array.from(document.querySelectorAll('.mo-JobWidget')).find(
            n => !prev.includes(n.id.replace(/^mo-job-/, ''))
          );
          return w ? w.id.replace(/^mo-job-/, '') : null;
        },
        before
      );
      const rerun = await handle.jsonValue();
      const job = await server.api(`mo/api/jobs/${rerun}`);
      assert.deepEqual(job.args, ['there', '--n', '1']);
      assert.deepEqual(job.env, { GREETING: 'hi' });
      assert.equal(job.path, 'greet.py');
      await waitForJobState(page, rerun, 'completed');
      await waitForLog(server, rerun, 'hi there --n 1');
    });
  });

  it('stops a job past its max run time with the reason "time limit"', async () => {
    const { page, server } = lab;
    await withSnapshot(page, 'jobs-clone-timelimit', async () => {
      void execute(page, 'mo:create-job', { path: 'slow.py' });
      const dialog = createDialog(page);
      await dialog.waitFor({ state: 'visible' });
      await dialog.locator('.mo-CreateJob-maxRun').fill('0.05'); // 3 seconds
      const id = await submitCreateJobDialog(page, { path: 'slow.py', args: '' });
      assert.equal((await server.api(`mo/api/jobs/${id}`)).max_run_seconds, 3);
      await waitForJobState(page, id, 'stopped', 60000);
      const job = await server.api(`mo/api/jobs/${id}`);
      assert.match(job.reason, /^time limit/);
      await openJobTab(page, id, 'details');
      const reason = page.locator(`#mo-job-${id} .mo-JobDetails-table tr[data-field="reason"] td`);
      assert.match(await reason.innerText(), /^time limit/);
    });
  });
});
