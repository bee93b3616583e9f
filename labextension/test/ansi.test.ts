// Unit tests of the log's ANSI parser (src/jobs/ansi.ts): SGR colours and
// styles become segments with JupyterLab's ansi-* classes, every other
// escape is removed, and hostile input costs bounded time.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IAnsiSegment, parseAnsi, stripAnsi } from '../src/jobs/ansi';

/** Segments as [text, classes, color?, background?] for short asserts. */
function segs(line: string): (string | undefined)[][] {
  return parseAnsi(line).map((s: IAnsiSegment) => {
    const row: (string | undefined)[] = [s.text, s.cls];
    if (s.color || s.background) {
      row.push(s.color, s.background);
    }
    return row;
  });
}

// Keras 3 `model.fit(verbose=1)` in a pipe, copied from its output.
const KERAS =
  '\x1b[1m1/1\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m ' +
  '\x1b[1m0s\x1b[0m 30ms/step - loss: 0.5';

test('a Keras progress line: bold, green bar, plain text', () => {
  assert.deepEqual(segs(KERAS), [
    ['1/1', 'ansi-bold'],
    [' ', ''],
    ['━━━━━━━━━━━━━━━━━━━━', 'ansi-green-fg'],
    [' ', ''],
    ['0s', 'ansi-bold'],
    [' 30ms/step - loss: 0.5', '']
  ]);
  assert.equal(
    stripAnsi(KERAS),
    '1/1 ━━━━━━━━━━━━━━━━━━━━ 0s 30ms/step - loss: 0.5'
  );
});

test('the 16 colours, foreground and background, normal and intense', () => {
  assert.deepEqual(segs('\x1b[31mr\x1b[42mg\x1b[91mR\x1b[107mW'), [
    ['r', 'ansi-red-fg'],
    ['g', 'ansi-red-fg ansi-green-bg'],
    ['R', 'ansi-red-intense-fg ansi-green-bg'],
    ['W', 'ansi-red-intense-fg ansi-white-intense-bg']
  ]);
  assert.deepEqual(segs('\x1b[30;47mx\x1b[97;100my'), [
    ['x', 'ansi-black-fg ansi-white-bg'],
    ['y', 'ansi-white-intense-fg ansi-black-intense-bg']
  ]);
});

test('256 colours: the first 16 are themed classes, the rest rgb()', () => {
  assert.deepEqual(segs('\x1b[38;5;1ma\x1b[38;5;9mb'), [
    ['a', 'ansi-red-fg'],
    ['b', 'ansi-red-intense-fg']
  ]);
  assert.deepEqual(segs('\x1b[38;5;196ma\x1b[48;5;244mb'), [
    ['a', '', 'rgb(255, 0, 0)', undefined],
    ['b', '', 'rgb(255, 0, 0)', 'rgb(128, 128, 128)']
  ]);
  // The cube: 16 + 36r + 6g + b with levels 0, 95, 135, 175, 215, 255.
  assert.deepEqual(segs('\x1b[38;5;110mx'), [
    ['x', '', 'rgb(135, 175, 215)', undefined]
  ]);
});

test('true colour, in the ; form and the ITU : form', () => {
  assert.deepEqual(segs('\x1b[38;2;10;20;30mx\x1b[48;2;1;2;3my'), [
    ['x', '', 'rgb(10, 20, 30)', undefined],
    ['y', '', 'rgb(10, 20, 30)', 'rgb(1, 2, 3)']
  ]);
  assert.deepEqual(segs('\x1b[38:2::255:128:0mx\x1b[38:5:2my'), [
    ['x', '', 'rgb(255, 128, 0)', undefined],
    ['y', 'ansi-green-fg']
  ]);
  // Out of range or incomplete: the colour is left as it was, text stays.
  assert.deepEqual(
    segs('\x1b[32m\x1b[38;2;300;0;0mx\x1b[38;5mx\x1b[38;2;1my'),
    [['xxy', 'ansi-green-fg']]
  );
});

test('resets: 0 and an empty SGR reset all, 39 / 49 / 22 / 24 one each', () => {
  assert.deepEqual(
    segs('\x1b[1;4;31;42ma\x1b[39mb\x1b[49mc\x1b[22md\x1b[24me'),
    [
      ['a', 'ansi-red-fg ansi-green-bg ansi-bold ansi-underline'],
      ['b', 'ansi-green-bg ansi-bold ansi-underline'],
      ['c', 'ansi-bold ansi-underline'],
      ['d', 'ansi-underline'],
      ['e', '']
    ]
  );
  assert.deepEqual(segs('\x1b[1;31ma\x1b[mb\x1b[2;3;9mc\x1b[0md'), [
    ['a', 'ansi-red-fg ansi-bold'],
    ['b', ''],
    ['c', 'mo-ansi-dim mo-ansi-italic mo-ansi-strike'],
    ['d', '']
  ]);
});

test('nested styles add up and come off one at a time', () => {
  // pytest's "FAILED" header: red, then bold on top, underline inside.
  assert.deepEqual(segs('\x1b[31m\x1b[1mA\x1b[4mB\x1b[24mC\x1b[22mD\x1b[0mE'), [
    ['A', 'ansi-red-fg ansi-bold'],
    ['B', 'ansi-red-fg ansi-bold ansi-underline'],
    ['C', 'ansi-red-fg ansi-bold'],
    ['D', 'ansi-red-fg'],
    ['E', '']
  ]);
});

test('inverse swaps the colours, defaults included', () => {
  assert.deepEqual(segs('\x1b[7mx\x1b[31my\x1b[27mz'), [
    ['x', 'ansi-default-inverse-fg ansi-default-inverse-bg'],
    ['y', 'ansi-default-inverse-fg ansi-red-bg'],
    ['z', 'ansi-red-fg']
  ]);
});

test('every escape that is not SGR is removed, its text kept', () => {
  const cases: [string, string][] = [
    ['\x1b[2K\x1b[1Gdownloading', 'downloading'], // erase line, column 1
    ['50%\x1b[K', '50%'], // erase to end of line
    ['\x1b[?25lhidden cursor\x1b[?25h', 'hidden cursor'],
    ['\x1b[1A\x1b[10;20Hmoved', 'moved'],
    ['\x1b]0;window title\x07after', 'after'], // OSC ended by BEL
    ['\x1b]8;;https://x.org\x1b\\link\x1b]8;;\x1b\\', 'link'], // OSC by ST
    ['\x1b(Bcharset', 'charset'],
    ['\x1b7saved\x1b8', 'saved'],
    ['\x1b[1 qcursor style', 'cursor style'], // CSI with an intermediate
    ['\x1b[>4;2mnot sgr', 'not sgr'], // private marker: not a colour
    ['a\x1b\x1b[31mb', 'ab'],
    ['trailing\x1b', 'trailing'],
    ['half\x1b[12', 'half'],
    ['\x1b]0;unterminated title', '']
  ];
  for (const [line, text] of cases) {
    assert.equal(stripAnsi(line), text, JSON.stringify(line));
    assert.equal(
      parseAnsi(line)
        .map(s => s.text)
        .join(''),
      text,
      JSON.stringify(line)
    );
  }
  // A private-marker "m" is not SGR: no colour comes from it.
  assert.deepEqual(segs('\x1b[>4;2mx'), [['x', '']]);
});

test('text without escapes is one plain segment, markup stays text', () => {
  const hostile = '<img src=x onerror=alert(1)> & <b>bold</b>';
  assert.equal(stripAnsi(hostile), hostile);
  assert.deepEqual(segs(hostile), [[hostile, '']]);
  assert.deepEqual(segs('\x1b[31m' + hostile), [[hostile, 'ansi-red-fg']]);
  assert.deepEqual(parseAnsi(''), []);
});

test('a hostile 1 MB line of escapes takes bounded time and never throws', () => {
  const MB = 1 << 20;
  const lines = [
    '\x1b'.repeat(MB),
    '\x1b[' + '1;'.repeat(MB / 2) + 'mx',
    '\x1b[' + '9'.repeat(MB) + 'mx',
    '\x1b[38;5;' + ';'.repeat(MB) + 'mx',
    '\x1b[38:2' + ':'.repeat(MB) + 'mx',
    '\x1b]' + 'a'.repeat(MB),
    '\x1b[' + '?'.repeat(MB),
    '\x1b[31mx\x1b[32my'.repeat(MB / 12),
    'x\x1b[K'.repeat(MB / 4)
  ];
  for (const line of lines) {
    const t0 = performance.now();
    const parsed = parseAnsi(line);
    const stripped = stripAnsi(line);
    const ms = performance.now() - t0;
    assert.ok(
      ms < 3000,
      `${ms.toFixed(0)} ms for ${JSON.stringify(line.slice(0, 12))}`
    );
    assert.ok(parsed.length <= 1000, `${parsed.length} segments`);
    assert.equal(parsed.map(s => s.text).join(''), stripped);
    assert.ok(!stripped.includes('\x1b'));
  }
  // Many colour changes: the text is all there, in at most 1000 segments.
  const many = parseAnsi('\x1b[31mx\x1b[32my'.repeat(50000));
  assert.equal(many.length, 1000);
  assert.equal(many.map(s => s.text).join('').length, 100000);
});
