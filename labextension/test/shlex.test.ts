// Unit tests of the shell-like argument splitting of the Create job dialog.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { shellQuote, shellSplit } from '../src/jobs/shlex';

test('splits on whitespace', () => {
  assert.deepEqual(shellSplit('  --epochs 3\t--lr  0.1 '), [
    '--epochs',
    '3',
    '--lr',
    '0.1'
  ]);
  assert.deepEqual(shellSplit(''), []);
});

test('quotes group words and keep empty strings', () => {
  assert.deepEqual(shellSplit('--name "a b" \'c d\' ""'), [
    '--name',
    'a b',
    'c d',
    ''
  ]);
  assert.deepEqual(shellSplit('a"b c"d'), ['ab cd']);
});

test('single quotes are literal, double quotes allow escapes', () => {
  assert.deepEqual(shellSplit('\'a\\"b\' "c\\"d" "e\\f"'), [
    'a\\"b',
    'c"d',
    'e\\f'
  ]);
  assert.deepEqual(shellSplit('a\\ b'), ['a b']);
  assert.deepEqual(shellSplit('"$HOME" \'$x\''), ['$HOME', '$x']);
});

test('unicode passes through', () => {
  assert.deepEqual(shellSplit('--标签 "训练 一"'), ['--标签', '训练 一']);
});

test('unterminated quotes and trailing backslash throw', () => {
  assert.throws(() => shellSplit('"abc'), /unterminated double quote/);
  assert.throws(() => shellSplit("'abc"), /unterminated single quote/);
  assert.throws(() => shellSplit('abc\\'), /trailing backslash/);
});

test('shellQuote gives back what shellSplit reads as the same words', () => {
  const words = ['--lr', '0.1', 'a b', '', "it's", '"q"', 'x$y', 'back\\slash'];
  assert.deepEqual(shellSplit(words.map(shellQuote).join(' ')), words);
  assert.equal(shellQuote('--epochs'), '--epochs');
});
