// Unit tests of JobStream's `lines` frames: a run of lines, status events and
// metric columns expanded in seq order, nothing twice after a reconnect, the
// metrics already loaded left out.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ILinesFrame, StreamEvent } from '../src/api';
import { JobStream } from '../src/stream';

class FakeSocket {
  static last: FakeSocket;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  close(): void {
    // the stream drops its handlers first
  }
}

function open(metricsAfter = 0): { stream: JobStream; events: StreamEvent[] } {
  const settings = {
    wsUrl: 'ws://lab/',
    WebSocket: FakeSocket,
    appendToken: false,
    token: ''
  } as any;
  const stream = new JobStream('j1', settings);
  stream.metricsAfter = metricsAfter;
  const events: StreamEvent[] = [];
  stream.event.connect((_, e) => events.push(e));
  stream.connect();
  return { stream, events };
}

const frame: ILinesFrame = {
  type: 'lines',
  seq: 1,
  next: 7,
  chunks: [
    [1, 0.5, 'stdout', 'a\n{"metric": "loss", "value": 0.5, "step": 0}'],
    [5, 0.7, 'stderr', 'e1\ne2']
  ],
  events: [
    {
      type: 'log',
      seq: 3,
      t: 0.6,
      stream: 'stdout',
      line: 'cut',
      truncated: true,
      bytes: 9
    },
    { type: 'status', seq: 4, job: { id: 'j1', state: 'running' } as any }
  ],
  metrics: [
    {
      metric: 'loss',
      source: 'mo',
      seq: [2, 6],
      value: [0.5, null],
      time: [0.5, 0.7],
      step: [0, null],
      nonfinite: { '1': 'NaN' }
    }
  ]
};

test('a lines frame becomes its lines, events and metrics, in seq order', () => {
  const { stream, events } = open();
  FakeSocket.last.send(frame);
  const kinds = events.map(e =>
    e.type === 'batch'
      ? `batch:${e.logs.map(l => l.line).join('|')}:${e.metrics.length}`
      : e.type
  );
  assert.deepEqual(kinds, [
    'batch:a|{"metric": "loss", "value": 0.5, "step": 0}:0',
    'log',
    'status',
    'batch:e1|e2:0',
    'batch::2'
  ]);
  const metrics = (events[4] as any).metrics;
  assert.deepEqual(metrics[0], {
    metric: 'loss',
    source: 'mo',
    seq: 2,
    time: 0.5,
    value: 0.5,
    step: 0
  });
  assert.deepEqual(metrics[1], {
    metric: 'loss',
    source: 'mo',
    seq: 6,
    time: 0.7,
    value: null,
    nonfinite: 'NaN'
  });
  assert.equal(stream.lastSeq, 6);
});

test('a frame seen in part (a reconnect) gives only what is new', () => {
  const { stream, events } = open();
  FakeSocket.last.send({
    ...frame,
    chunks: [frame.chunks[0]],
    events: [],
    next: 3,
    metrics: []
  });
  events.length = 0;
  FakeSocket.last.send(frame);
  const lines = events.flatMap(e =>
    e.type === 'batch'
      ? e.logs.map(l => l.line)
      : e.type === 'log'
        ? [e.line]
        : []
  );
  assert.deepEqual(lines, ['cut', 'e1', 'e2']);
  const metrics = events.flatMap(e =>
    e.type === 'batch' ? e.metrics.map(m => m.seq) : []
  );
  assert.deepEqual(metrics, [6]);
  assert.equal(stream.lastSeq, 6);
});

test('metrics the client loaded already are neither asked for nor kept', () => {
  const { events } = open(2);
  assert.match(FakeSocket.last.url, /\?since=0&metrics_after=2$/);
  FakeSocket.last.send(frame);
  const metrics = events.flatMap(e =>
    e.type === 'batch' ? e.metrics.map(m => m.seq) : []
  );
  assert.deepEqual(metrics, [6]);
});
