// Unit tests of the Create Job dialog's pure parts: environment lines and the
// max run time's unit conversion.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  formatEnvLines,
  maxRunToSeconds,
  parseEnvLines,
  secondsToMaxRun
} from '../src/jobs/format';

test('env lines: NAME=value, value kept as typed, blank lines skipped', () => {
  const r = parseEnvLines('GREETING=hi\n\n  \nURL=a=b c \r\n_X1=');
  assert.equal(r.error, null);
  assert.deepEqual(r.env, { GREETING: 'hi', URL: 'a=b c ', _X1: '' });
  assert.deepEqual(parseEnvLines(''), { env: {}, error: null });
});

test('env lines: a bad line is reported with its number and why', () => {
  assert.deepEqual(parseEnvLines('A=1\nnoequals').error, {
    line: 2,
    text: 'noequals',
    why: 'no-equals'
  });
  assert.deepEqual(parseEnvLines('1A=x').error, {
    line: 1,
    text: '1A=x',
    why: 'bad-name'
  });
  assert.equal(parseEnvLines('A-B=x').error?.why, 'bad-name');
  assert.equal(parseEnvLines('=x').error?.why, 'bad-name');
  assert.equal(parseEnvLines(`${'A'.repeat(257)}=x`).error?.why, 'bad-name');
});

test('env lines: formatting and parsing round-trip', () => {
  const env = { A: '1', B: 'x=y', C: '' };
  const text = formatEnvLines(env);
  assert.equal(text, 'A=1\nB=x=y\nC=');
  assert.deepEqual(parseEnvLines(text).env, env);
  assert.equal(formatEnvLines(undefined), '');
});

test('max run time: units to seconds, empty is none, bad is NaN', () => {
  assert.equal(maxRunToSeconds('', 'minutes'), null);
  assert.equal(maxRunToSeconds('  ', 'hours'), null);
  assert.equal(maxRunToSeconds('5', 'minutes'), 300);
  assert.equal(maxRunToSeconds('1.5', 'hours'), 5400);
  assert.equal(maxRunToSeconds('0.5', 'minutes'), 30);
  assert.equal(maxRunToSeconds('720', 'hours'), 2592000);
  for (const bad of ['0', '-1', 'abc', '1e3', '721']) {
    assert.ok(Number.isNaN(maxRunToSeconds(bad, 'hours')), bad);
  }
});

test('max run time: seconds back to the form, round-trip', () => {
  assert.deepEqual(secondsToMaxRun(null), { value: '', unit: 'minutes' });
  assert.deepEqual(secondsToMaxRun(7200), { value: '2', unit: 'hours' });
  assert.deepEqual(secondsToMaxRun(300), { value: '5', unit: 'minutes' });
  assert.deepEqual(secondsToMaxRun(90), { value: '1.5', unit: 'minutes' });
  for (const secs of [60, 90, 3600, 5400, 2592000]) {
    const { value, unit } = secondsToMaxRun(secs);
    assert.equal(maxRunToSeconds(value, unit), secs);
  }
});
