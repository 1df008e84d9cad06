/**
 * The playground's console: a bounded list of entries drawn in batches.
 *
 * - At most `MAX_ENTRIES` are kept; older ones are dropped and the top line says how many.
 * - Entries arrive at any rate but are drawn once per animation frame, so a `console.log`
 *   flood costs the lesson page one small DOM update per frame.
 * - Everything is drawn with `textContent`: what the runner sends is the learner's data and
 *   is never parsed as HTML. Nested values are drawn only when their `<details>` is opened.
 */
import type { LogLevel, Preview } from './protocol.ts';

export const MAX_ENTRIES = 1_000;

export interface ConsoleEntry {
  level: LogLevel | 'system';
  /** Milliseconds since Run; none for system lines. */
  t?: number;
  kind: 'console' | 'uncaught' | 'rejection' | 'system';
  args: Preview[];
  /** Where an uncaught error happened, in the learner's code (their handler's, for the server's lines). */
  line?: number;
  col?: number;
  /** Printed by the learner's handler on the server (server-console.ts), not by their page: drawn with a badge. */
  source?: 'server';
}

export interface ConsoleStrings {
  /** `{n}` earlier messages were dropped. */
  dropped: string;
  /** "line {line}". */
  line: string;
  uncaught: string;
  rejection: string;
  /** "{n} more". */
  more: string;
  /** "{n} more characters". */
  moreChars: string;
  circular: string;
  /** The badge of a line from the learner's server, e.g. "server". */
  server: string;
}

interface Row {
  el: HTMLElement;
}

export class ConsoleView {
  private readonly list: HTMLElement;
  private readonly strings: ConsoleStrings;
  private readonly mapStack: (stack: string) => string;
  private readonly onChange: (count: number, errors: number) => void;
  private pending: ConsoleEntry[] = [];
  private readonly rows: Row[] = [];
  private dropped = 0;
  private errors = 0;
  private frame = 0;
  private droppedLine: HTMLElement | null = null;
  private pinned = true;

  constructor(
    list: HTMLElement,
    strings: ConsoleStrings,
    mapStack: (stack: string) => string,
    onChange: (count: number, errors: number) => void,
  ) {
    this.list = list;
    this.strings = strings;
    this.mapStack = mapStack;
    this.onChange = onChange;
    // Follow new entries while the learner is at the bottom; stay put once they scroll up.
    list.addEventListener('scroll', () => {
      if (list.clientHeight > 0) this.pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
    });
  }

  /** Call when the list becomes visible: it cannot scroll while hidden. */
  reveal(): void {
    if (this.pinned) this.list.scrollTop = this.list.scrollHeight;
  }

  /** Queues entries; they are drawn on the next animation frame. */
  add(entries: readonly ConsoleEntry[], droppedBefore = 0): void {
    this.dropped += droppedBefore;
    for (const e of entries) this.pending.push(e);
    // Keep what is waiting bounded too: a hidden tab gets no frames.
    if (this.pending.length > MAX_ENTRIES) {
      this.dropped += this.pending.length - MAX_ENTRIES;
      this.pending = this.pending.slice(-MAX_ENTRIES);
    }
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  clear(): void {
    this.pending = [];
    this.rows.length = 0;
    this.dropped = 0;
    this.errors = 0;
    this.droppedLine = null;
    this.pinned = true;
    this.list.replaceChildren();
    this.onChange(0, 0);
  }

  get count(): number {
    return this.rows.length + this.pending.length;
  }

  private draw(): void {
    this.frame = 0;
    const batch = this.pending;
    this.pending = [];
    const fragment = document.createDocumentFragment();
    for (const entry of batch) {
      const el = this.entryElement(entry);
      if (entry.level === 'error') this.errors += 1;
      this.rows.push({ el });
      fragment.append(el);
    }
    this.list.append(fragment);
    while (this.rows.length > MAX_ENTRIES) {
      const row = this.rows.shift();
      if (row?.el.classList.contains('level-error')) this.errors -= 1;
      row?.el.remove();
      this.dropped += 1;
    }
    if (this.dropped > 0) {
      if (!this.droppedLine) {
        this.droppedLine = document.createElement('li');
        this.droppedLine.className = 'entry dropped';
      }
      this.droppedLine.textContent = this.strings.dropped.replace('{n}', this.dropped.toLocaleString());
      this.list.prepend(this.droppedLine);
    }
    if (this.pinned) this.list.scrollTop = this.list.scrollHeight;
    this.onChange(this.rows.length, this.errors);
  }

  private entryElement(entry: ConsoleEntry): HTMLElement {
    const li = document.createElement('li');
    li.className = `entry level-${entry.level} kind-${entry.kind}`;
    const time = document.createElement('span');
    time.className = 'time';
    time.textContent = entry.t === undefined ? '' : `+${(entry.t / 1000).toFixed(3)}s`;
    li.append(time);
    const body = document.createElement('div');
    body.className = 'message';
    if (entry.source === 'server') {
      li.classList.add('from-server');
      const badge = document.createElement('span');
      badge.className = 'badge-server';
      badge.textContent = this.strings.server;
      body.append(badge, ' ');
    }
    if (entry.kind === 'uncaught' || entry.kind === 'rejection') {
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = entry.kind === 'uncaught' ? this.strings.uncaught : this.strings.rejection;
      body.append(label, ' ');
    }
    entry.args.forEach((arg, i) => {
      if (i > 0) body.append(' ');
      body.append(this.value(arg, true));
    });
    const line = entry.line ?? firstLearnerLine(entry.args, this.mapStack);
    if (line !== undefined) {
      const where = document.createElement('span');
      where.className = 'where';
      where.textContent = this.strings.line.replace('{line}', String(line));
      li.append(body, where);
    } else {
      li.append(body);
    }
    return li;
  }

  /** One value; `top` values show strings bare, as browser consoles do. */
  private value(p: Preview, top: boolean): Node {
    switch (p.k) {
      case 'str': {
        if (top && !p.cut) return document.createTextNode(p.v);
        const s = span('str', top ? p.v : JSON.stringify(p.v));
        if (p.cut)
          s.append(span('more', ` … ${this.strings.moreChars.replace('{n}', p.cut.toLocaleString())}`));
        return s;
      }
      case 'num':
      case 'bigint':
        return span('num', p.v);
      case 'bool':
        return span('bool', String(p.v));
      case 'null':
        return span('nil', 'null');
      case 'undef':
        return span('nil', 'undefined');
      case 'sym':
        return span('sym', p.v);
      case 'fn':
        return span('fn', p.cls ? `class ${p.name}` : `ƒ ${p.name || '(anonymous)'}()`);
      case 'date':
        return span('date', p.v);
      case 're':
        return span('re', p.v);
      case 'node':
        return p.text ? fragmentOf(span('node', p.tag), ' ', span('node-text', p.text)) : span('node', p.tag);
      case 'bytes':
        return fragmentOf(span('cls', `${p.cls}(${p.n}) `), span('hex', p.hex + (p.n > 64 ? ' …' : '')));
      case 'cycle':
        return span('cycle', this.strings.circular);
      case 'deep':
      case 'opaque':
        return span('cls', p.k === 'deep' ? `${p.cls} {…}` : p.cls);
      case 'err':
        return this.errorValue(p, top);
      case 'arr':
      case 'obj':
      case 'map':
      case 'set':
        return this.expandable(p);
    }
  }

  private errorValue(p: Extract<Preview, { k: 'err' }>, top: boolean): Node {
    const stack = this.mapStack(p.stack);
    const head = `${p.name}: ${p.message}`;
    if (!stack) return span('err', head);
    const details = document.createElement('details');
    details.className = 'err-details';
    details.open = top;
    const summary = document.createElement('summary');
    summary.append(span('err', head));
    const pre = document.createElement('pre');
    pre.className = 'stack';
    pre.textContent = stack;
    details.append(summary, pre);
    return details;
  }

  private expandable(p: Extract<Preview, { k: 'arr' | 'obj' | 'map' | 'set' }>): Node {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = summarize(p, 2);
    details.append(summary);
    details.addEventListener(
      'toggle',
      () => {
        const body = document.createElement('ul');
        body.className = 'props';
        const row = (key: Node | string, v: Node) => {
          const li = document.createElement('li');
          li.append(typeof key === 'string' ? span('key', key) : key, span('colon', ': '), v);
          body.append(li);
        };
        if (p.k === 'arr') {
          p.items.forEach((item, i) => {
            row(String(i), this.value(item, false));
          });
          if (p.n > p.items.length) body.append(moreLine(this.strings.more, p.n - p.items.length));
        } else if (p.k === 'obj') {
          for (const [key, v] of p.entries) row(key, this.value(v, false));
          if (p.more > 0) body.append(moreLine(this.strings.more, p.more));
        } else if (p.k === 'map') {
          for (const [key, v] of p.entries) {
            const li = document.createElement('li');
            li.append(this.value(key, false), span('colon', ' => '), this.value(v, false));
            body.append(li);
          }
          if (p.n > p.entries.length) body.append(moreLine(this.strings.more, p.n - p.entries.length));
        } else {
          for (const item of p.items) {
            const li = document.createElement('li');
            li.append(this.value(item, false));
            body.append(li);
          }
          if (p.n > p.items.length) body.append(moreLine(this.strings.more, p.n - p.items.length));
        }
        details.append(body);
      },
      { once: true },
    );
    return details;
  }
}

/** The one-line text of a value, for summaries: `{type: "tick", data: "3"}`. */
export function summarize(p: Preview, depth: number): string {
  const inner = (q: Preview) => summarize(q, depth - 1);
  switch (p.k) {
    case 'str':
      return depth === 2 ? p.v : JSON.stringify(p.v.length > 40 ? `${p.v.slice(0, 40)}…` : p.v);
    case 'num':
    case 'bigint':
    case 'sym':
    case 'date':
    case 're':
      return p.v;
    case 'bool':
      return String(p.v);
    case 'null':
      return 'null';
    case 'undef':
      return 'undefined';
    case 'fn':
      return p.cls ? `class ${p.name}` : `ƒ ${p.name}()`;
    case 'err':
      return `${p.name}: ${p.message}`;
    case 'node':
      return p.tag;
    case 'bytes':
      return `${p.cls}(${p.n})`;
    case 'cycle':
      return '[Circular]';
    case 'deep':
    case 'opaque':
      return p.cls;
    case 'arr': {
      const head = p.cls === 'Array' ? `(${p.n})` : `${p.cls}(${p.n})`;
      if (depth <= 0) return p.cls === 'Array' ? `Array${head}` : head;
      const items = p.items.slice(0, 6).map(inner);
      return `${head} [${items.join(', ')}${p.n > 6 ? ', …' : ''}]`;
    }
    case 'obj': {
      const prefix = p.cls === 'Object' ? '' : `${p.cls} `;
      if (depth <= 0) return `${prefix}{…}`;
      const items = p.entries.slice(0, 5).map(([k, v]) => `${k}: ${inner(v)}`);
      const more = p.entries.length > 5 || p.more > 0 ? ', …' : '';
      return `${prefix}{${items.join(', ')}${more}}`;
    }
    case 'map': {
      if (depth <= 0) return `Map(${p.n})`;
      const items = p.entries.slice(0, 4).map(([k, v]) => `${inner(k)} => ${inner(v)}`);
      return `Map(${p.n}) {${items.join(', ')}${p.n > 4 ? ', …' : ''}}`;
    }
    case 'set': {
      if (depth <= 0) return `Set(${p.n})`;
      const items = p.items.slice(0, 6).map(inner);
      return `Set(${p.n}) {${items.join(', ')}${p.n > 6 ? ', …' : ''}}`;
    }
  }
}

/** The learner's line in the first error among `args` whose stack names it. */
function firstLearnerLine(args: Preview[], mapStack: (stack: string) => string): number | undefined {
  for (const a of args) {
    if (a.k !== 'err') continue;
    const m = /learner\.js:(\d+)/.exec(mapStack(a.stack));
    if (m) return Number(m[1]);
  }
  return undefined;
}

function span(cls: string, text: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = cls;
  s.textContent = text;
  return s;
}

function fragmentOf(...parts: (Node | string)[]): DocumentFragment {
  const f = document.createDocumentFragment();
  f.append(...parts);
  return f;
}

function moreLine(template: string, n: number): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'more';
  li.textContent = template.replace('{n}', n.toLocaleString());
  return li;
}
