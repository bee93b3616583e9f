// Unit tests of how a failed job's reason is shown (sidebar tooltip, Details).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TranslationBundle } from '@jupyterlab/translation';

import { IJob } from '../src/api';
import { endLines, exitText } from '../src/jobs/format';

// The English bundle: %1, %2... replaced by the arguments, as JupyterLab does.
const trans = {
  __: (msg: string, ...args: unknown[]) =>
    msg.replace(/%(\d)/g, (_, i) => String(args[Number(i) - 1]))
} as unknown as TranslationBundle;

function job(fields: Partial<IJob>): IJob {
  return { state: 'failed', exit_code: 1, reason: null, ...fields } as IJob;
}

test('a failure shows the error it printed and its exit code', () => {
  const failed = job({ reason: "KeyError: 'test' (failing.py:6)" });
  assert.deepEqual(endLines(trans, failed), [
    "Error: KeyError: 'test' (failing.py:6)",
    'exited with code 1'
  ]);
  assert.equal(exitText(trans, failed), 'exited with code 1');
});

test('a failure without a printed error says its exit code once', () => {
  const quiet = job({ exit_code: 3, reason: 'exited with code 3' });
  assert.deepEqual(endLines(trans, quiet), ['Error: exited with code 3']);
  const none = job({ exit_code: 3, reason: null });
  assert.deepEqual(endLines(trans, none), ['exited with code 3']);
});

test('a signal, a stop and a success read as they are', () => {
  const killed = job({ exit_code: -9, reason: 'killed by SIGKILL' });
  assert.deepEqual(endLines(trans, killed), ['Error: killed by SIGKILL']);
  assert.equal(exitText(trans, killed), '-9');
  const stopped = job({
    state: 'stopped',
    exit_code: -15,
    reason: 'stopped by the user'
  });
  assert.deepEqual(endLines(trans, stopped), ['Reason: stopped by the user']);
  const done = job({ state: 'completed', exit_code: 0 });
  assert.deepEqual(endLines(trans, done), []);
  assert.equal(exitText(trans, done), '0');
  assert.equal(exitText(trans, job({ state: 'running', exit_code: null })), '');
});
