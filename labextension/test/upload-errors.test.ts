// The upload's error messages name the user's file and say what to upload
// (issue 10 §3): a name that is not an archive is refused before sending;
// a server error about the archive gets the list of accepted formats.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ARCHIVE_ACCEPT,
  isArchiveName,
  uploadErrorText
} from '../src/catalog/upload';

// a TranslationBundle stand-in: gettext's %1 substitution, no translation
const trans = {
  __: (s: string, ...args: unknown[]) =>
    s.replace(/%(\d)/g, (_, i) => String(args[Number(i) - 1]))
};

test('upload error: a .rar names the file and the archives to upload', () => {
  assert.equal(isArchiveName('star-face.rar'), false);
  assert.equal(
    uploadErrorText(trans, 'star-face.rar'),
    'star-face.rar: not a supported archive; upload a .zip, .tar.gz, .tgz, .tar.bz2 or .tar.xz'
  );
});

test('upload error: the archive names the server extracts are accepted', () => {
  for (const name of [
    'a.zip',
    'A.ZIP',
    'b.tar',
    'c.tar.gz',
    'd.tgz',
    'e.tar.bz2',
    'f.tbz2',
    'g.tar.xz',
    'h.txz'
  ]) {
    assert.equal(isArchiveName(name), true, name);
  }
  for (const name of ['.zip', 'x.gz', 'x.zip.rar', 'zip', '']) {
    assert.equal(isArchiveName(name), false, name);
  }
  assert.match(ARCHIVE_ACCEPT, /\.tar\.bz2/);
  assert.match(ARCHIVE_ACCEPT, /\.tar\.xz/);
});

test('upload error: a server reason is prefixed with the user file', () => {
  assert.equal(
    uploadErrorText(trans, 'flowers.zip', "unsafe entry '../x'"),
    "flowers.zip: unsafe entry '../x'"
  );
  // already named: not twice
  assert.equal(
    uploadErrorText(trans, 'flowers.zip', 'flowers.zip is too large'),
    'flowers.zip is too large'
  );
});

test('upload error: a bad archive says what the archive should be', () => {
  assert.equal(
    uploadErrorText(trans, 'photos.zip', 'data.zip is corrupt: bad CRC'),
    'photos.zip: data.zip is corrupt: bad CRC; upload a .zip, .tar.gz, .tgz, .tar.bz2 or .tar.xz'
  );
});

test('upload error: a very long file name is cut', () => {
  const text = uploadErrorText(trans, `${'a'.repeat(500)}.rar`);
  assert.ok(text.length < 220, text);
  assert.match(text, /^a+…: not a supported archive/);
});
