/**
 * A job's event stream over the websocket `mo/api/jobs/<id>/stream`
 * (frames are one event or a batch of events, in order).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { API, IBatchEvent, ILinesFrame, StreamEvent, enc } from './api';
import { seriesPoints } from './metrics/columns';

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

  /**
   * The metrics up to this seq are not streamed: the client loaded them
   * already (`GET .../metrics?format=columns`, far faster for a long run).
   */
  metricsAfter = 0;

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
    if (this.metricsAfter > this._lastSeq) {
      url += `&metrics_after=${this.metricsAfter}`;
    }
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
   * A run of lines, status changes and metrics. Plain lines and metrics go
   * out as one `batch` event; lines shown otherwise (cut, with a warning) and
   * status changes as their own events, in seq order with the plain lines
   * (a batch ends where such an event comes). What an earlier connection
   * already delivered is left out.
   */
  private _onLines(frame: ILinesFrame): void {
    const seen = this._lastSeq;
    if (frame.next - 1 <= seen) {
      return;
    }
    const events = frame.events.filter(e => e.seq > seen);
    events.sort((a, b) => a.seq - b.seq);
    let logs: IBatchEvent['logs'] = [];
    let e = 0;
    const flush = () => {
      if (logs.length) {
        this._event.emit({ type: 'batch', logs, metrics: [] });
        logs = [];
      }
    };
    for (const [seq, , stream, text] of frame.chunks) {
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const s = seq + i;
        if (s <= seen) {
          continue;
        }
        while (e < events.length && events[e].seq < s) {
          flush();
          this._event.emit(events[e++]);
        }
        logs.push({ line: lines[i], stream });
      }
    }
    flush();
    while (e < events.length) {
      this._event.emit(events[e++]);
    }
    this._lastSeq = frame.next - 1;
    const metrics = seriesPoints(
      frame.metrics,
      Math.max(seen, this.metricsAfter)
    );
    if (metrics.length) {
      this._event.emit({ type: 'batch', logs: [], metrics });
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
