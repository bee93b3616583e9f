// Unit tests of the log view's provisional progress rows and ANSI rows
// (src/jobs/logview.ts), on a stand-in DOM (fakedom.ts, imported first).
import {
  CLIENT_HEIGHT,
  FakeElement,
  ROW_HEIGHT,
  flushFrames,
  makeHost
} from './fakedom';

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { LogView } from '../src/jobs/logview';

const trans = {
  __: (msg: string, ...args: unknown[]) =>
    msg.replace(/%(\d)/g, (_, i) => String(args[Number(i) - 1]))
} as unknown as TranslationBundle;

function node(view: LogView): FakeElement {
  return view.node as unknown as FakeElement;
}

/** The rendered rows: [number, text, classes]. */
function rows(view: LogView): string[][] {
  return node(view)
    .findAll('mo-LogLine')
    .map(r => [
      r.findAll('mo-LogLine-number')[0].textContent,
      r.findAll('mo-LogLine-text')[0].textContent,
      r.className
    ]);
}

function attached(): LogView {
  const view = new LogView(trans);
  Widget.attach(view, makeHost() as unknown as HTMLElement);
  flushFrames();
  return view;
}

test('a progress state is replaced in place and is not a line', () => {
  const view = new LogView(trans);
  view.append({ line: 'Epoch 1/3', stream: 'stdout' });
  view.progress('stderr', ' 10%|█         | 1/10');
  view.progress('stderr', ' 50%|█████     | 5/10');
  assert.deepEqual(view.progressLines, [
    { stream: 'stderr', line: ' 50%|█████     | 5/10' }
  ]);
  assert.equal(view.lineCount, 1);
  assert.equal(view.lineAt(1), undefined);
  assert.equal(view.text(), 'Epoch 1/3');
  flushFrames();
  assert.equal(node(view).dataset.lines, '1');
  assert.equal(node(view).dataset.progress, ' 50%|█████     | 5/10');
});

test('an empty progress line removes the provisional row', () => {
  const view = new LogView(trans);
  view.progress('stdout', 'downloading 3/7');
  flushFrames();
  assert.equal(node(view).dataset.progress, 'downloading 3/7');
  view.progress('stdout', '');
  assert.deepEqual(view.progressLines, []);
  flushFrames();
  assert.equal(node(view).dataset.progress, undefined);
  assert.equal(node(view).dataset.lines, '0');
  view.progress('stderr', ''); // nothing to remove: no change
  assert.deepEqual(view.progressLines, []);
});

test("a completed line ends its own stream's provisional row only", () => {
  const view = new LogView(trans);
  view.progress('stderr', ' 90%|█████████ | 9/10');
  view.progress('stdout', '\x1b[1m2/5\x1b[0m \x1b[32m━━━━\x1b[0m');
  assert.deepEqual(
    view.progressLines.map(p => p.stream),
    ['stderr', 'stdout']
  );
  view.append({ line: 'a print from the loop', stream: 'stdout' });
  assert.deepEqual(view.progressLines, [
    { stream: 'stderr', line: ' 90%|█████████ | 9/10' }
  ]);
  view.append({ line: '100%|██████████| 10/10', stream: 'stderr' });
  assert.deepEqual(view.progressLines, []);
  assert.equal(view.lineCount, 2);
  assert.equal(view.text(), 'a print from the loop\n100%|██████████| 10/10');
});

test('text() and the progress dataset have no escapes; lineAt keeps them', () => {
  const view = new LogView(trans);
  const raw = '\x1b[1m1/1\x1b[0m \x1b[32m━━\x1b[0m - loss: 0.5\x1b[K';
  view.append({ line: raw, stream: 'stdout' });
  view.append({ line: 'plain', stream: 'stdout' });
  view.progress('stdout', '\x1b[32m50%\x1b[0m');
  assert.equal(view.text(), '1/1 ━━ - loss: 0.5\nplain');
  assert.equal(view.lineAt(0)?.line, raw);
  flushFrames();
  assert.equal(node(view).dataset.progress, '50%');
  view.clear();
  assert.deepEqual(view.progressLines, []);
  assert.equal(view.lineCount, 0);
});

test('the provisional row is drawn last, followed, and redrawn in place', () => {
  const view = attached();
  const visible = CLIENT_HEIGHT / ROW_HEIGHT;
  for (let i = 1; i <= 30; i++) {
    view.append({ line: `line ${i}`, stream: 'stdout' });
  }
  view.progress('stderr', ' 10%|█         | 1/10');
  flushFrames();
  const scroller = node(view).findAll('mo-LogView-scroller')[0];
  const spacer = node(view).findAll('mo-LogView-spacer')[0];
  // 31 rows: the view follows the tail, provisional row included.
  assert.equal(spacer.style.height, `${31 * ROW_HEIGHT}px`);
  assert.equal(scroller.scrollTop, (31 - visible) * ROW_HEIGHT);
  let drawn = rows(view);
  assert.deepEqual(drawn[drawn.length - 2], ['30', 'line 30', 'mo-LogLine']);
  assert.deepEqual(drawn[drawn.length - 1], [
    '',
    ' 10%|█         | 1/10',
    'mo-LogLine mo-LogView-progress mo-mod-stderr'
  ]);

  const before = drawn.length;
  view.progress('stderr', ' 60%|██████    | 6/10');
  flushFrames();
  drawn = rows(view);
  assert.equal(drawn.length, before);
  assert.equal(drawn[drawn.length - 1][1], ' 60%|██████    | 6/10');

  // The completed line takes its place, numbered.
  view.append({ line: '100%|██████████| 10/10', stream: 'stderr' });
  flushFrames();
  drawn = rows(view);
  assert.deepEqual(drawn[drawn.length - 1], [
    '31',
    '100%|██████████| 10/10',
    'mo-LogLine mo-mod-stderr'
  ]);
  assert.equal(node(view).findAll('mo-LogView-progress').length, 0);
  assert.equal(spacer.style.height, `${31 * ROW_HEIGHT}px`);
  view.dispose();
});

test('ANSI rows are drawn as spans of text; plain rows stay one text', () => {
  const view = attached();
  const hostile = '<img src=x onerror=alert(1)>';
  view.append({ line: 'plain ' + hostile, stream: 'stdout' });
  view.append({
    line: '\x1b[1m1/1\x1b[0m \x1b[32m━━━━\x1b[0m\x1b[37m\x1b[0m ' + hostile,
    stream: 'stdout'
  });
  flushFrames();
  const texts = node(view).findAll('mo-LogLine-text');
  assert.equal(texts.length, 2);
  // Plain: a single text node, no element inside.
  assert.equal(texts[0].childElementCount, 0);
  assert.equal(texts[0].textContent, 'plain ' + hostile);
  // Coloured: spans with the classes, the markup as text.
  const spans = texts[1].children.map(s => [s.textContent, s.className]);
  assert.deepEqual(spans, [
    ['1/1', 'ansi-bold'],
    ['━━━━', 'ansi-green-fg']
  ]);
  assert.equal(texts[1].textContent, '1/1 ━━━━ ' + hostile);
  view.dispose();
});
