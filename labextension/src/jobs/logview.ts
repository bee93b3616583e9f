/**
 * A virtualised log view: only the rows in (and just around) the viewport
 * exist in the DOM, so a log of 100k+ lines stays light. Rows have one
 * fixed height (long lines scroll sideways rather than wrap).
 *
 * It follows the tail while the user is at the bottom; scrolling up stops
 * following, and a "Follow" button (or scrolling back down) resumes it.
 *
 * Lines may hold ANSI escapes: colours are drawn (ansi.ts) when a row is
 * shown, other escapes are dropped; lines without an escape stay plain text.
 * Below the completed lines, each stream may have one provisional row: the
 * newest state of a `\r` progress bar whose line has not ended (progress()).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ILogEvent } from '../api';
import { hasEscapes, renderAnsi, stripAnsi } from './ansi';

export interface ILogLine {
  line: string;
  stream: 'stdout' | 'stderr';
  warning?: string;
  truncated?: boolean;
  bytes?: number;
}

const OVERSCAN = 20;

export class LogView extends Widget {
  constructor(
    private _trans: TranslationBundle,
    follow = true
  ) {
    super();
    this.addClass('mo-LogView');
    this._follow = follow;
    this.node.dataset.lines = '0';

    this._scroller = document.createElement('div');
    this._scroller.className = 'mo-LogView-scroller';
    this._spacer = document.createElement('div');
    this._spacer.className = 'mo-LogView-spacer';
    this._rows = document.createElement('div');
    this._rows.className = 'mo-LogView-rows';
    this._spacer.appendChild(this._rows);
    this._scroller.appendChild(this._spacer);
    this.node.appendChild(this._scroller);
    this._scroller.tabIndex = 0;

    this._empty = document.createElement('div');
    this._empty.className = 'mo-LogView-empty';
    this._empty.textContent = _trans.__('No output yet.');
    this.node.appendChild(this._empty);

    this._followButton = document.createElement('button');
    this._followButton.className = 'jp-Button mo-LogView-follow';
    this._followButton.textContent = _trans.__('Follow');
    this._followButton.title = _trans.__('Scroll to the end and follow new output');
    this._followButton.addEventListener('click', () => this.setFollow(true));
    this.node.appendChild(this._followButton);
    this._updateFollowButton();
  }

  /** Completed lines (provisional progress rows are not counted). */
  get lineCount(): number {
    return this._lines.length;
  }

  /** The provisional rows, in the order they are shown (at most one a stream). */
  get progressLines(): readonly ILogLine[] {
    return this._progress;
  }

  get following(): boolean {
    return this._follow;
  }

  /** Line `i` (0-based), for tests and copy helpers. */
  lineAt(i: number): ILogLine | undefined {
    return this._lines[i];
  }

  /**
   * All completed lines, escapes removed, one per row (for "copy all" /
   * download).
   */
  text(): string {
    return this._lines.map(l => stripAnsi(l.line)).join('\n');
  }

  /** A completed line; it ends its stream's provisional row, if any. */
  append(event: ILogEvent | ILogLine): void {
    const { line, stream, warning, truncated, bytes } = event;
    this._lines.push({ line, stream, warning, truncated, bytes });
    this._dropProgress(stream);
    this._schedule();
  }

  /** Many completed lines at once (a replay): kept as given, drawn once. */
  appendMany(lines: ILogLine[]): void {
    if (!lines.length) {
      return;
    }
    const all = this._lines;
    for (let i = 0; i < lines.length; i++) {
      all.push(lines[i]);
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      if (lines.some(l => l.stream === stream)) {
        this._dropProgress(stream);
      }
    }
    this._schedule();
  }

  /**
   * The newest state of `stream`'s unfinished line: shown as a provisional
   * last row, replaced by the next call, removed by `line === ''` or by the
   * stream's next completed line.
   */
  progress(stream: 'stdout' | 'stderr', line: string): void {
    if (line === '') {
      if (this._dropProgress(stream)) {
        this._schedule();
      }
      return;
    }
    const k = this._progress.findIndex(p => p.stream === stream);
    if (k >= 0) {
      this._progress[k] = { line, stream };
    } else {
      this._progress.push({ line, stream });
    }
    this._progressRev++;
    this._schedule();
  }

  clear(): void {
    this._lines = [];
    this._progress = [];
    this._gen++;
    this._schedule();
  }

  setFollow(follow: boolean): void {
    this._follow = follow;
    this._updateFollowButton();
    if (follow) {
      this._schedule();
    }
  }

  handleEvent(event: Event): void {
    if (event.type === 'scroll') {
      this._onScroll();
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._scroller.addEventListener('scroll', this);
    this._schedule();
  }

  protected onBeforeDetach(msg: Message): void {
    this._scroller.removeEventListener('scroll', this);
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._schedule();
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._schedule();
  }

  dispose(): void {
    if (this._frame) {
      cancelAnimationFrame(this._frame);
    }
    super.dispose();
  }

  private _onScroll(): void {
    if (this._programmatic) {
      this._programmatic = false;
    } else {
      const n = this._scroller;
      const atBottom =
        n.scrollTop + n.clientHeight >= n.scrollHeight - this._lineHeight * 1.5;
      if (atBottom !== this._follow) {
        this._follow = atBottom;
        this._updateFollowButton();
      }
    }
    this._schedule();
  }

  private _schedule(): void {
    if (this._frame || this.isDisposed) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._render();
    });
  }

  private _measure(): void {
    if (this._lineHeight > 0 || !this.isVisible) {
      return;
    }
    const probe = this._makeRow();
    probe.textContent = 'Mg';
    this._rows.appendChild(probe);
    const h = probe.getBoundingClientRect().height;
    this._rows.removeChild(probe);
    if (h > 0) {
      this._lineHeight = Math.ceil(h);
      this.node.style.setProperty('--mo-log-line-height', `${this._lineHeight}px`);
    }
  }

  private _dropProgress(stream: 'stdout' | 'stderr'): boolean {
    const k = this._progress.findIndex(p => p.stream === stream);
    if (k < 0) {
      return false;
    }
    this._progress.splice(k, 1);
    this._progressRev++;
    return true;
  }

  private _render(): void {
    this.node.dataset.lines = String(this._lines.length);
    if (this._progress.length) {
      this.node.dataset.progress = this._progress
        .map(p => stripAnsi(p.line))
        .join('\n');
    } else {
      delete this.node.dataset.progress;
    }
    const digits = Math.max(4, String(this._lines.length).length);
    if (digits !== this._digits) {
      this._digits = digits;
      this.node.style.setProperty('--mo-log-gutter', `${digits}ch`);
    }
    // Rows: the completed lines, then the provisional ones.
    const n = this._lines.length + this._progress.length;
    this._empty.style.display = n ? 'none' : '';
    if (!this.isVisible) {
      return;
    }
    this._measure();
    const lh = this._lineHeight || 18;
    this._spacer.style.height = `${n * lh}px`;
    const node = this._scroller;
    if (this._follow) {
      const bottom = Math.max(0, n * lh - node.clientHeight);
      if (Math.abs(node.scrollTop - bottom) > 1) {
        this._programmatic = true;
        node.scrollTop = bottom;
      }
    }
    const top = node.scrollTop;
    const first = Math.max(0, Math.floor(top / lh) - OVERSCAN);
    const last = Math.min(
      n,
      Math.ceil((top + node.clientHeight) / lh) + OVERSCAN
    );
    this._rows.style.transform = `translateY(${first * lh}px)`;
    const count = Math.max(0, last - first);
    const rows = this._rows;
    while (rows.childElementCount > count) {
      rows.lastElementChild!.remove();
    }
    while (rows.childElementCount < count) {
      rows.appendChild(this._makeRow());
    }
    for (let k = 0; k < count; k++) {
      this._fillRow(rows.children[k] as HTMLElement, first + k);
    }
  }

  private _makeRow(): HTMLElement {
    const row = document.createElement('div');
    row.className = 'mo-LogLine';
    return row;
  }

  private _fillRow(row: HTMLElement, index: number): void {
    const key = String(index);
    const completed = index < this._lines.length;
    // A row is redrawn when the lines change (or, for a provisional row, its state).
    const version =
      `${this._gen}:${this._lines.length}` +
      (completed ? '' : `:${this._progressRev}`);
    if (row.dataset.index === key && row.dataset.n === version) {
      return;
    }
    const l = completed
      ? this._lines[index]
      : this._progress[index - this._lines.length];
    row.dataset.index = key;
    row.dataset.n = version;
    row.className =
      'mo-LogLine' +
      (completed ? '' : ' mo-LogView-progress') +
      (l.stream === 'stderr' ? ' mo-mod-stderr' : '') +
      (l.warning ? ' mo-mod-warning' : '') +
      (l.truncated ? ' mo-mod-truncated' : '');
    row.textContent = '';
    const num = document.createElement('span');
    num.className = 'mo-LogLine-number';
    num.textContent = completed ? String(index + 1) : '';
    row.appendChild(num);
    const text = document.createElement('span');
    text.className = 'mo-LogLine-text';
    if (hasEscapes(l.line)) {
      renderAnsi(text, l.line);
    } else {
      text.textContent = l.line;
    }
    row.appendChild(text);
    if (l.truncated) {
      const mark = document.createElement('span');
      mark.className = 'mo-LogLine-truncated';
      mark.textContent =
        l.bytes !== undefined
          ? this._trans.__('[truncated, %1 bytes]', l.bytes)
          : this._trans.__('[truncated]');
      row.appendChild(mark);
    }
    if (l.warning) {
      const warn = document.createElement('span');
      warn.className = 'mo-LogLine-warning';
      warn.textContent = `⚠ ${l.warning}`;
      row.appendChild(warn);
      row.title = l.warning;
    } else if (!completed) {
      row.title = this._trans.__('In progress: this line has not ended yet');
    } else {
      row.removeAttribute('title');
    }
  }

  private _updateFollowButton(): void {
    this._followButton.style.display = this._follow ? 'none' : '';
    this.toggleClass('mo-mod-following', this._follow);
  }

  private _lines: ILogLine[] = [];
  private _progress: ILogLine[] = [];
  private _progressRev = 0;
  private _gen = 0;
  private _follow: boolean;
  private _frame = 0;
  private _lineHeight = 0;
  private _digits = 0;
  private _programmatic = false;
  private _scroller: HTMLElement;
  private _spacer: HTMLElement;
  private _rows: HTMLElement;
  private _empty: HTMLElement;
  private _followButton: HTMLElement;
}
