// Unit tests of the catalog UI's pure parts: the dataset form's values, the
// chunked upload (with a fake transport), and the small helpers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { IDatasetDetail } from '../src/catalog/api';
import {
  changedKeys,
  formHints,
  formValues,
  toMeta
} from '../src/catalog/formvalues';
import { testSetLabel } from '../src/catalog/labels';
import {
  CancelledError,
  DatasetUpload,
  IUploadProgress,
  IUploadTransport
} from '../src/catalog/upload';
import {
  archiveStem,
  detailsWidgetId,
  formatBytes,
  mainAction,
  parseExists
} from '../src/catalog/util';

// a TranslationBundle stand-in: gettext's %1 substitution, no translation
const trans = {
  __: (s: string, ...args: unknown[]) =>
    s.replace(/%(\d+)/g, (_, i) => String(args[Number(i) - 1]))
} as any;

test('form values round-trip to dataset.yml keys', () => {
  const v = formValues();
  assert.equal(v.split, 'ratio');
  assert.equal(v.ratio, '0.9');
  const meta = toMeta({
    ...v,
    name: ' flowers ',
    tags: 'a, b，c,, ',
    ratio: '0.8'
  });
  assert.equal(meta.name, 'flowers');
  assert.deepEqual(meta.tags, ['a', 'b', 'c']);
  assert.equal(meta.test_set, 0.8);
  assert.equal(toMeta({ ...v, split: 'independent' }).test_set, 'independent');
  // what cannot be parsed is sent as typed: the server names the problem
  assert.equal(toMeta({ ...v, ratio: 'abc' }).test_set as unknown, 'abc');
  const back = formValues({ name: 'x', test_set: 'independent', tags: ['t'] });
  assert.equal(back.split, 'independent');
  assert.equal(back.tags, 't');
});

test('an edit sends only the changed keys, never the name', () => {
  const before = {
    name: 'flowers',
    description: 'old',
    tags: ['a'],
    purpose: 'image_classification',
    label_type: 'single_label',
    format: 'dir',
    test_set: 0.9,
    permission: 'private' as const,
    license: '',
    source: ''
  };
  const after = toMeta({ ...formValues(before), description: 'new' });
  assert.deepEqual(changedKeys(before, after), { description: 'new' });
  assert.deepEqual(changedKeys(before, toMeta(formValues(before))), {});
});

test('hints: name pattern, split ratio, format for the purpose', () => {
  const ok = { ...formValues(), name: 'flowers' };
  assert.deepEqual(formHints(trans, ok), []);
  assert.match(formHints(trans, { ...ok, name: '' })[0], /required/);
  assert.match(formHints(trans, { ...ok, name: 'a b' })[0], /letters/);
  assert.match(formHints(trans, { ...ok, ratio: '1.5' })[0], /between 0 and 1/);
  assert.deepEqual(
    formHints(trans, { ...ok, ratio: '1.5', split: 'independent' }),
    []
  );
  assert.match(formHints(trans, { ...ok, format: 'csv' })[0], /dir format/);
  assert.match(
    formHints(trans, { ...ok, purpose: 'object_detection', format: 'dir' })[0],
    /json/
  );
  assert.equal(testSetLabel(trans, 0.8), 'Random split: 80 % train, 20 % test');
});

test('helpers', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(9 * 1024 * 1024), '9.0 MB');
  assert.equal(formatBytes(undefined), '');
  assert.equal(
    mainAction({ category: 'model', actions: ['train', 'predict'] }),
    'predict'
  );
  assert.equal(
    mainAction({ category: 'toolkit', actions: ['predict', 'run'] }),
    'run'
  );
  assert.equal(mainAction({ category: 'model', actions: ['train'] }), null);
  assert.equal(archiveStem('datasets/x/star-face.tar.gz'), 'star-face');
  assert.equal(archiveStem('a.TGZ'), 'a');
  assert.equal(
    detailsWidgetId('module', 'mo/iris_classifier'),
    'mo-module-mo_iris_classifier'
  );
  assert.deepEqual(
    parseExists(
      "'sub/modules/iris_classifier' already holds mo/iris_classifier 1.0.0; replace it with mo/iris_classifier 0.9.0?"
    ),
    ['sub/modules/iris_classifier', 'mo/iris_classifier 1.0.0']
  );
  assert.deepEqual(
    parseExists(
      "'datasets/mo-mnist' already holds files not inserted by mo_jupyter"
    ),
    ['datasets/mo-mnist', 'files not inserted by mo_jupyter']
  );
  assert.equal(parseExists('something else'), null);
});

/** A fake server: records calls, keeps the bytes. */
function fakeTransport(opts: { failImport?: string; onPut?: () => void } = {}) {
  const calls: string[] = [];
  let held = 0;
  const transport: IUploadTransport = {
    create: async (name, size) => {
      calls.push(`create ${name} ${size}`);
      return { id: 'u1' };
    },
    put: async (id, offset, chunk, signal) => {
      calls.push(`put ${id} ${offset} ${chunk.size}`);
      opts.onPut?.();
      await new Promise(r => setTimeout(r, 1));
      if (signal.aborted) {
        throw new Error('aborted');
      }
      assert.equal(offset, held);
      held += chunk.size;
      return held;
    },
    cancel: async id => {
      calls.push(`cancel ${id}`);
    },
    importInto: async (datasetId, source) => {
      calls.push(`import ${datasetId} ${source.upload} ${source.part}`);
      if (opts.failImport) {
        throw new Error(opts.failImport);
      }
      return { id: datasetId } as IDatasetDetail;
    }
  };
  return { transport, calls };
}

test('upload: chunks at offsets, progress to 100 %, then import', async () => {
  const { transport, calls } = fakeTransport();
  const seen: IUploadProgress[] = [];
  const file = Object.assign(new Blob([new Uint8Array(25)]), { name: 'd.zip' });
  const up = new DatasetUpload(
    'me/d',
    file,
    'train',
    transport,
    p => seen.push(p),
    10
  );
  const detail = await up.run();
  assert.equal(detail.id, 'me/d');
  assert.deepEqual(calls, [
    'create d.zip 25',
    'put u1 0 10',
    'put u1 10 10',
    'put u1 20 5',
    'import me/d u1 train'
  ]);
  assert.deepEqual(
    seen.map(p => `${p.phase} ${p.percent}`),
    [
      'uploading 0',
      'uploading 40',
      'uploading 80',
      'uploading 100',
      'importing 100',
      'done 100'
    ]
  );
});

test('upload: cancel aborts and deletes the partial upload', async () => {
  let up: DatasetUpload | null = null;
  let puts = 0;
  const { transport, calls } = fakeTransport({
    onPut: () => {
      if (++puts === 2) {
        void up!.cancel();
      }
    }
  });
  const file = new Blob([new Uint8Array(40)]);
  up = new DatasetUpload('me/d', file, 'test', transport, () => undefined, 10);
  await assert.rejects(up.run(), CancelledError);
  assert.equal(up.progress.phase, 'cancelled');
  assert.ok(calls.includes('cancel u1'), calls.join(', '));
  assert.ok(!calls.some(c => c.startsWith('import')));
});

test('upload: a refused import deletes the upload and reports the server error', async () => {
  const { transport, calls } = fakeTransport({
    failImport: "bad entry '../x'"
  });
  const up = new DatasetUpload('me/d', new Blob(['abc']), 'train', transport);
  await assert.rejects(up.run(), /\.\.\/x/);
  assert.equal(up.progress.phase, 'failed');
  assert.equal(calls.at(-1), 'cancel u1');
});
