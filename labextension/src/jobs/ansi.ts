/**
 * ANSI escape sequences in log lines (Keras, pip, pytest, colorama...).
 *
 * SGR sequences (`ESC [ ... m`: bold, dim, italic, underline, inverse,
 * strike, 16 / 256 / true colours and their resets) become segments of text
 * with JupyterLab's `ansi-*` colour classes (see style/logansi.css); every
 * other escape (cursor moves, `ESC [K`, `ESC [?25l`, OSC titles, charset
 * selections) is removed. One linear pass, no regular expression: a hostile
 * line of escapes costs time in proportion to its length. The result is
 * text for `textContent`, never markup.
 */

const ESC = 0x1b;

/** JupyterLab's class stems (@jupyterlab/rendermime): 0-7, then 8-15 intense. */
const COLORS = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white'
];

/** A colour: 0-15 (a themed class) or a CSS `rgb(...)` string. */
type Color = number | string | null;

export interface IAnsiSegment {
  /** The text, escapes removed. */
  text: string;
  /** Space-separated classes ('' for plain text). */
  cls: string;
  /** CSS colours of 256-colour (16-255) and true-colour codes. */
  color?: string;
  background?: string;
}

/** Whether a line holds an escape at all (the fast path skips the rest). */
export function hasEscapes(line: string): boolean {
  return line.indexOf('\x1b') >= 0;
}

/** The text of a line without its escape sequences. */
export function stripAnsi(line: string): string {
  if (!hasEscapes(line)) {
    return line;
  }
  const parts: string[] = [];
  scan(line, text => parts.push(text));
  return parts.join('');
}

/**
 * A line's styled segments. After `maxSegments` segments the rest of the
 * text joins the last one (a row stays a bounded number of DOM nodes).
 */
export function parseAnsi(line: string, maxSegments = 1000): IAnsiSegment[] {
  const out: IAnsiSegment[] = [];
  const st = new State();
  let style: Omit<IAnsiSegment, 'text'> | null = null;
  scan(
    line,
    text => {
      style = style || st.style();
      const last = out[out.length - 1];
      if (
        last &&
        (out.length >= maxSegments ||
          (last.cls === style.cls &&
            last.color === style.color &&
            last.background === style.background))
      ) {
        last.text += text;
      } else {
        out.push({ text, ...style });
      }
    },
    params => {
      st.apply(params);
      style = null;
    }
  );
  return out;
}

/** Fill `parent` with a line's segments: text nodes and styled spans. */
export function renderAnsi(parent: HTMLElement, line: string): void {
  const doc = parent.ownerDocument;
  for (const seg of parseAnsi(line)) {
    if (!seg.cls && !seg.color && !seg.background) {
      parent.appendChild(doc.createTextNode(seg.text));
      continue;
    }
    const span = doc.createElement('span');
    if (seg.cls) {
      span.className = seg.cls;
    }
    if (seg.color) {
      span.style.color = seg.color;
    }
    if (seg.background) {
      span.style.backgroundColor = seg.background;
    }
    span.textContent = seg.text;
    parent.appendChild(span);
  }
}

/**
 * Walk a line: `onText` gets the runs of text between escapes, `onSgr` the
 * parameters of each SGR sequence (`1;32` of `ESC [1;32m`).
 */
function scan(
  s: string,
  onText: (text: string) => void,
  onSgr?: (params: string) => void
): void {
  const n = s.length;
  let start = 0;
  let i = s.indexOf('\x1b');
  while (i >= 0) {
    if (i > start) {
      onText(s.slice(start, i));
    }
    let j = i + 1;
    const c = j < n ? s.charCodeAt(j) : -1;
    if (c === 0x5b) {
      // CSI: parameter bytes, intermediate bytes, one final byte.
      j++;
      const p0 = j;
      while (j < n && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x3f) {
        j++;
      }
      const p1 = j;
      while (j < n && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) {
        j++;
      }
      const f = j < n ? s.charCodeAt(j) : -1;
      if (f >= 0x40 && f <= 0x7e) {
        j++;
        if (f === 0x6d && p1 === j - 1 && onSgr) {
          const params = s.slice(p0, p1);
          if (/^[\d;:]*$/.test(params)) {
            onSgr(params);
          }
        }
      }
    } else if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) {
      // OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \).
      j++;
      while (j < n) {
        const d = s.charCodeAt(j);
        if (d === 0x07) {
          j++;
          break;
        }
        if (d === ESC) {
          j += s.charCodeAt(j + 1) === 0x5c ? 2 : 0;
          break;
        }
        j++;
      }
    } else if (c >= 0x20 && c <= 0x7e) {
      // nF (ESC ( B ...) and Fp/Fe/Fs escapes (ESC 7, ESC =, ESC M ...).
      while (j < n && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) {
        j++;
      }
      if (j < n && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x7e) {
        j++;
      }
    }
    start = j;
    i = s.indexOf('\x1b', j);
  }
  if (start < n) {
    onText(s.slice(start));
  }
}

/** The SGR state of a terminal, as far as a log shows it. */
class State {
  apply(params: string): void {
    const groups = params.split(';');
    for (let k = 0; k < groups.length; k++) {
      const g = groups[k];
      if (g.indexOf(':') >= 0) {
        // ITU form: 38:5:n, 38:2:[space]:r:g:b, 4:3 (curly underline).
        const sub = g.split(':').map(num);
        if ((sub[0] === 38 || sub[0] === 48) && sub[1] === 5) {
          this._set(sub[0], index256(sub[2]));
        } else if ((sub[0] === 38 || sub[0] === 48) && sub[1] === 2) {
          this._set(sub[0], rgb(sub.slice(-3)));
        } else {
          this._code(sub[0]);
        }
        continue;
      }
      const code = num(g);
      if ((code === 38 || code === 48) && k + 1 < groups.length) {
        const mode = num(groups[k + 1]);
        if (mode === 5 && k + 2 < groups.length) {
          this._set(code, index256(num(groups[k + 2])));
          k += 2;
        } else if (mode === 2 && k + 4 < groups.length) {
          this._set(code, rgb(groups.slice(k + 2, k + 5).map(num)));
          k += 4;
        } else {
          k = groups.length; // malformed: the rest is not understood
        }
        continue;
      }
      this._code(code);
    }
  }

  style(): Omit<IAnsiSegment, 'text'> {
    let fg = this._fg;
    let bg = this._bg;
    const cls: string[] = [];
    if (this._inverse) {
      [fg, bg] = [bg, fg];
      if (fg === null) {
        cls.push('ansi-default-inverse-fg');
      }
      if (bg === null) {
        cls.push('ansi-default-inverse-bg');
      }
    }
    const out: Omit<IAnsiSegment, 'text'> = { cls: '' };
    if (typeof fg === 'number') {
      cls.push(colorClass(fg, 'fg'));
    } else if (fg !== null) {
      out.color = fg;
    }
    if (typeof bg === 'number') {
      cls.push(colorClass(bg, 'bg'));
    } else if (bg !== null) {
      out.background = bg;
    }
    if (this._bold) {
      cls.push('ansi-bold');
    }
    if (this._dim) {
      cls.push('mo-ansi-dim');
    }
    if (this._italic) {
      cls.push('mo-ansi-italic');
    }
    if (this._underline) {
      cls.push('ansi-underline');
    }
    if (this._strike) {
      cls.push('mo-ansi-strike');
    }
    out.cls = cls.join(' ');
    return out;
  }

  private _set(code: number, color: Color): void {
    if (color === null) {
      return; // an invalid extended colour changes nothing
    }
    if (code === 38) {
      this._fg = color;
    } else {
      this._bg = color;
    }
  }

  private _code(n: number): void {
    if (n === 0) {
      this._fg = this._bg = null;
      this._bold = this._dim = this._italic = false;
      this._underline = this._inverse = this._strike = false;
    } else if (n === 1) {
      this._bold = true;
    } else if (n === 2) {
      this._dim = true;
    } else if (n === 3) {
      this._italic = true;
    } else if (n === 4 || n === 21) {
      this._underline = true;
    } else if (n === 7) {
      this._inverse = true;
    } else if (n === 9) {
      this._strike = true;
    } else if (n === 22) {
      this._bold = this._dim = false;
    } else if (n === 23) {
      this._italic = false;
    } else if (n === 24) {
      this._underline = false;
    } else if (n === 27) {
      this._inverse = false;
    } else if (n === 29) {
      this._strike = false;
    } else if (n >= 30 && n <= 37) {
      this._fg = n - 30;
    } else if (n === 39) {
      this._fg = null;
    } else if (n >= 40 && n <= 47) {
      this._bg = n - 40;
    } else if (n === 49) {
      this._bg = null;
    } else if (n >= 90 && n <= 97) {
      this._fg = n - 90 + 8;
    } else if (n >= 100 && n <= 107) {
      this._bg = n - 100 + 8;
    }
  }

  private _fg: Color = null;
  private _bg: Color = null;
  private _bold = false;
  private _dim = false;
  private _italic = false;
  private _underline = false;
  private _inverse = false;
  private _strike = false;
}

/** A parameter: '' is 0, anything unparsable is -1 (no code). */
function num(s: string | undefined): number {
  if (!s) {
    return 0;
  }
  return /^\d{1,6}$/.test(s) ? parseInt(s, 10) : -1;
}

function colorClass(c: number, layer: 'fg' | 'bg'): string {
  const name = COLORS[c % 8];
  return c < 8 ? `ansi-${name}-${layer}` : `ansi-${name}-intense-${layer}`;
}

/** A 256-colour index: 0-15 themed classes, then the cube and the greys. */
function index256(i: number | undefined): Color {
  if (i === undefined || i < 0 || i > 255) {
    return null;
  }
  if (i < 16) {
    return i;
  }
  if (i < 232) {
    const level = (v: number) => (v > 0 ? 55 + v * 40 : 0);
    const k = i - 16;
    return rgb([
      level(Math.floor(k / 36)),
      level(Math.floor(k / 6) % 6),
      level(k % 6)
    ]);
  }
  const grey = (i - 232) * 10 + 8;
  return rgb([grey, grey, grey]);
}

function rgb(c: (number | undefined)[]): Color {
  if (
    c.length !== 3 ||
    c.some(v => v === undefined || !(v >= 0 && v <= 255))
  ) {
    return null;
  }
  return `rgb(${c.join(', ')})`;
}
