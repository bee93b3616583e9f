// An archive that extracts but has the wrong layout for its dataset's format
// (issue 10 §3): the upload box names the user's file and lists what the
// format check says the layout should be.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { layoutErrorText, layoutProblems } from '../src/catalog/upload';

const trans = {
  __: (s: string, ...args: unknown[]) =>
    s.replace(/%(\d)/g, (_, i) => String(args[Number(i) - 1]))
};

const LOOSE =
  'dataset: files outside a class folder: 1.png, 2.png (format dir = one folder per class)';

test('wrong layout: the check problems of the imported archive', () => {
  assert.deepEqual(
    layoutProblems(
      { check: { ok: false, problems: [LOOSE] }, test_set: 0.1 },
      'train'
    ),
    [LOOSE]
  );
  assert.deepEqual(
    layoutProblems(
      { check: { ok: true, problems: [] }, test_set: 0.1 },
      'train'
    ),
    []
  );
});

test('wrong layout: a part of an independent test set is not blamed for the other part', () => {
  const check = {
    ok: false,
    problems: [
      'test/: the folder is missing',
      'train/: empty class folder(s): a'
    ]
  };
  const detail = { check, test_set: 'independent' as const };
  assert.deepEqual(layoutProblems(detail, 'train'), [
    'train/: empty class folder(s): a'
  ]);
  assert.deepEqual(layoutProblems(detail, 'test'), [
    'test/: the folder is missing'
  ]);
});

test('wrong layout: the message names the file, the dataset and each problem', () => {
  assert.equal(
    layoutErrorText(trans, 'loose-photos.zip', 'me/photos', 'dir', [LOOSE]),
    'loose-photos.zip was imported into me/photos, but its layout does not pass the format check of a dir dataset:\n' +
      `- ${LOOSE}`
  );
  const many = Array.from({ length: 10 }, (_, i) => `p${i}`);
  const text = layoutErrorText(trans, 'x.zip', 'me/x', 'csv', many).split('\n');
  assert.equal(text.length, 1 + 8 + 1);
  assert.equal(text.at(-1), '- and 2 more');
});
