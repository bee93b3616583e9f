/**
 * A job's event stream over the websocket `mo/api/jobs/<id>/stream`
 * (frames are one event or a batch of events, in order).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import {
  API,
  ILinesFrame,
  ILogEvent,
  StreamEvent,
  enc,
  seriesPoints
} from './api';

/**
 * A job's event stream over a websocket.
 *
 * It remembers the last sequence number seen and reconnects with backoff
 * passing `?since=<seq>`, so events are neither lost nor repeated. It stops
 * after the server's `end` frame or on dispose.
 */
export class JobStream {
  constructor(
    readonly jobId: string,
    private _settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  /** Every event, in order (the snapshot frame included). */
  get event(): ISignal<this, StreamEvent> {
    return this._event;
  }

  /** Whether the socket is currently open. */
  get connectionChanged(): ISignal<this, boolean> {
    return this._connectionChanged;
  }

  get lastSeq(): number {
    return this._lastSeq;
  }

  get ended(): boolean {
    return this._ended;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  connect(): void {
    if (this._disposed || this._ended || this._ws) {
      return;
    }
    const s = this._settings;
    let url =
      URLExt.join(s.wsUrl, API, 'jobs', enc(this.jobId), 'stream') +
      `?since=${this._lastSeq}`;
    if (s.appendToken && s.token) {
      url += `&token=${enc(s.token)}`;
    }
    const ws = new s.WebSocket(url);
    this._ws = ws;
    ws.onopen = () => {
      this._connectionChanged.emit(true);
    };
    ws.onmessage = (msg: MessageEvent) => this._onMessage(msg);
    ws.onclose = () => {
      this._ws = null;
      this._connectionChanged.emit(false);
      this._scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows and handles the retry
    };
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    window.clearTimeout(this._timer);
    this._closeSocket();
    Signal.clearData(this);
  }

  private _onMessage(msg: MessageEvent): void {
    let data: StreamEvent | StreamEvent[];
    try {
      data = JSON.parse(msg.data as string);
    } catch {
      console.warn('mo_jupyter: bad stream frame', msg.data);
      return;
    }
    this._backoff = 0;
    // A frame is one event, or a batch of events in order (older servers'
    // replays), or a `lines` frame that stands for a run of them.
    for (const event of Array.isArray(data) ? data : [data]) {
      if (event.type === 'lines') {
        this._onLines(event);
        continue;
      }
      this._onEvent(event);
      if (this._ended) {
        this._closeSocket();
        return;
      }
    }
  }

  private _onEvent(data: StreamEvent): void {
    if ('seq' in data && typeof data.seq === 'number') {
      if (data.seq <= this._lastSeq) {
        return; // already seen (defensive: the server filters by since)
      }
      this._lastSeq = data.seq;
    }
    if (data.type === 'end') {
      this._ended = true;
    }
    this._event.emit(data);
  }

  /**
   * A run of lines, status changes and metrics: the log and status events in
   * seq order, then the metrics (each carries the seq of its line), leaving
   * out what an earlier connection already delivered.
   */
  private _onLines(frame: ILinesFrame): void {
    const seen = this._lastSeq;
    if (frame.next - 1 <= seen) {
      return;
    }
    const ordered: StreamEvent[] = [];
    for (const [seq, t, stream, text] of frame.chunks) {
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (seq + i > seen) {
          ordered.push({ type: 'log', seq: seq + i, t, stream, line: lines[i] });
        }
      }
    }
    for (const event of frame.events) {
      if (event.seq > seen) {
        ordered.push(event);
      }
    }
    if (frame.events.length) {
      ordered.sort((a, b) => (a as ILogEvent).seq - (b as ILogEvent).seq);
    }
    this._lastSeq = frame.next - 1;
    for (const event of ordered) {
      this._event.emit(event);
    }
    for (const point of seriesPoints(frame.metrics, seen)) {
      this._event.emit({ type: 'metric', ...point });
    }
  }

  private _closeSocket(): void {
    const ws = this._ws;
    if (ws) {
      this._ws = null;
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close();
      this._connectionChanged.emit(false);
    }
  }

  private _scheduleReconnect(): void {
    if (this._disposed || this._ended) {
      return;
    }
    const delay = Math.min(30000, 1000 * 2 ** this._backoff);
    this._backoff = Math.min(this._backoff + 1, 5);
    this._timer = window.setTimeout(() => this.connect(), delay);
  }

  private _ws: WebSocket | null = null;
  private _lastSeq = 0;
  private _ended = false;
  private _disposed = false;
  private _backoff = 0;
  private _timer = 0;
  private _event = new Signal<this, StreamEvent>(this);
  private _connectionChanged = new Signal<this, boolean>(this);
}
