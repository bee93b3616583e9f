// A small stand-in for the browser's DOM, enough for a Lumino widget that
// builds its rows with createElement / textContent (the log view) to run
// under node's test runner. Import it before any Lumino module: importing it
// installs `document`, `navigator` and `requestAnimationFrame`.
//
// Layout is fixed: every element is CLIENT_HEIGHT tall and every row measures
// ROW_HEIGHT. Animation frames run when a test calls flushFrames().

export const CLIENT_HEIGHT = 180;
export const ROW_HEIGHT = 18;

export class FakeNode {
  parentNode: FakeElement | null = null;
  get ownerDocument(): typeof fakeDocument {
    return fakeDocument;
  }
  get textContent(): string {
    return '';
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
}

export class FakeText extends FakeNode {
  constructor(public data: string) {
    super();
  }
  get textContent(): string {
    return this.data;
  }
}

class FakeStyle {
  [name: string]: unknown;
  setProperty(name: string, value: string): void {
    this[name] = value;
  }
  removeProperty(name: string): void {
    delete this[name];
  }
}

class FakeClassList {
  constructor(private _el: FakeElement) {}
  private get _names(): string[] {
    return this._el.className.split(' ').filter(Boolean);
  }
  contains(name: string): boolean {
    return this._names.includes(name);
  }
  add(...names: string[]): void {
    const now = this._names;
    this._el.className = [...now, ...names.filter(n => !now.includes(n))].join(
      ' '
    );
  }
  remove(...names: string[]): void {
    this._el.className = this._names.filter(n => !names.includes(n)).join(' ');
  }
  toggle(name: string, force?: boolean): boolean {
    const on = force ?? !this.contains(name);
    if (on) {
      this.add(name);
    } else {
      this.remove(name);
    }
    return on;
  }
}

export class FakeElement extends FakeNode {
  constructor(readonly tagName: string) {
    super();
  }
  childNodes: FakeNode[] = [];
  className = '';
  readonly classList = new FakeClassList(this);
  readonly dataset: Record<string, string> = {};
  readonly style = new FakeStyle();
  title = '';
  tabIndex = -1;
  scrollTop = 0;
  clientHeight = CLIENT_HEIGHT;
  /** A root that stands for a node in the document (a host to attach to). */
  connected = false;

  get isConnected(): boolean {
    return this.connected || !!this.parentNode?.isConnected;
  }
  get children(): FakeElement[] {
    return this.childNodes.filter(
      (c): c is FakeElement => c instanceof FakeElement
    );
  }
  get childElementCount(): number {
    return this.children.length;
  }
  get lastElementChild(): FakeElement | null {
    const c = this.children;
    return c.length ? c[c.length - 1] : null;
  }
  get textContent(): string {
    return this.childNodes.map(c => c.textContent).join('');
  }
  set textContent(text: string) {
    for (const c of this.childNodes) {
      c.parentNode = null;
    }
    this.childNodes = text ? [new FakeText(text)] : [];
    this.childNodes.forEach(c => (c.parentNode = this));
  }
  appendChild<T extends FakeNode>(node: T): T {
    return this.insertBefore(node, null);
  }
  insertBefore<T extends FakeNode>(node: T, ref: FakeNode | null): T {
    node.remove();
    const at = ref ? this.childNodes.indexOf(ref) : -1;
    if (at < 0) {
      this.childNodes.push(node);
    } else {
      this.childNodes.splice(at, 0, node);
    }
    node.parentNode = this;
    return node;
  }
  removeChild<T extends FakeNode>(node: T): T {
    const at = this.childNodes.indexOf(node);
    if (at < 0) {
      throw new Error('not a child');
    }
    this.childNodes.splice(at, 1);
    node.parentNode = null;
    return node;
  }
  setAttribute(name: string, value: string): void {
    (this as unknown as Record<string, string>)[name] = value;
  }
  removeAttribute(name: string): void {
    (this as unknown as Record<string, string>)[name] = '';
  }
  addEventListener(): void {
    // events are not simulated
  }
  removeEventListener(): void {
    // events are not simulated
  }
  getBoundingClientRect(): { height: number; width: number } {
    return { height: ROW_HEIGHT, width: 100 };
  }
  /** Descendants with a class, in document order. */
  findAll(cls: string): FakeElement[] {
    const out: FakeElement[] = [];
    for (const c of this.children) {
      if (c.classList.contains(cls)) {
        out.push(c);
      }
      out.push(...c.findAll(cls));
    }
    return out;
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeElement(tag),
  createTextNode: (text: string) => new FakeText(text)
};

let frames = new Map<number, () => void>();
let nextFrame = 1;

/** Run the pending animation frames (and those they request), in order. */
export function flushFrames(): void {
  for (let round = 0; round < 10 && frames.size; round++) {
    const now = frames;
    frames = new Map();
    now.forEach(cb => cb());
  }
}

/** A node that stands for one in the document, to attach widgets to. */
export function makeHost(): FakeElement {
  const host = new FakeElement('div');
  host.connected = true;
  return host;
}

const g = globalThis as Record<string, unknown>;
g.document = fakeDocument;
g.Element = FakeElement;
g.HTMLElement = FakeElement;
// Lumino extends a few event classes at import time.
for (const name of ['UIEvent', 'MouseEvent', 'PointerEvent', 'DragEvent']) {
  if (g[name] === undefined) {
    g[name] = class extends Event {};
  }
}
if (g.navigator === undefined) {
  g.navigator = { platform: 'Linux', userAgent: 'node' };
}
g.requestAnimationFrame = (cb: () => void) => {
  frames.set(nextFrame, cb);
  return nextFrame++;
};
g.cancelAnimationFrame = (id: number) => {
  frames.delete(id);
};
