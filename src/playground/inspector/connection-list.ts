/**
 * The connection list, like a browser's network panel: one row per TCP connection the
 * learner's code opened — method, path, technique, status, bytes each way, duration, and
 * whether it is still open or how it ended (FIN, reset, close code, the bound that cut it).
 *
 * A listbox: ↑ ↓ Home End move the selection, which the rest of the panel follows.
 */
import { formatBytes } from './format.ts';
import type { Connection } from './model.ts';
import type { Strings } from './strings.ts';
import { durationOf, endingOf, pathOf, techniqueOf } from './summary.ts';
import { VirtualList } from './virtual-list.ts';

export const CONN_ROW_HEIGHT = 28;

export interface ConnectionListEvents {
  onSelect(c: Connection): void;
  /** Keys the list does not use (the timeline's zoom keys); returns whether they were used. */
  onKey?(e: KeyboardEvent): boolean;
}

export class ConnectionList {
  readonly root: HTMLElement;
  private readonly list: VirtualList;
  private readonly t: Strings;
  private readonly events: ConnectionListEvents;
  private readonly session: string;
  private shown: Connection[] = [];
  /** The header cell above the timeline lanes. */
  readonly laneHead: HTMLElement;
  /** The scrolling rows. */
  readonly scroller: HTMLElement;
  private selected: Connection | undefined;
  private readonly none: HTMLElement;
  /** The capture clock now (µs): an open connection's duration runs to it. */
  private now: () => number = () => 0;

  constructor(host: HTMLElement, t: Strings, session: string, events: ConnectionListEvents) {
    this.t = t;
    this.events = events;
    this.session = session;
    this.root = document.createElement('div');
    this.root.className = 'cl';
    const head = document.createElement('div');
    head.className = 'cl-head cl-cols';
    head.setAttribute('aria-hidden', 'true');
    const cols: Array<[string, string]> = [
      ['n', '#'],
      ['req', t('inspector.col.request')],
      ['tech', t('inspector.col.type')],
      ['status', t('inspector.col.status')],
      ['up', t('inspector.col.up')],
      ['down', t('inspector.col.down')],
      ['dur', t('inspector.col.duration')],
      ['state', t('inspector.col.state')],
      ['lane', ''],
    ];
    for (const [cls, text] of cols) {
      const s = document.createElement('span');
      s.className = `cl-${cls}`;
      s.textContent = text;
      head.append(s);
    }
    this.laneHead = head.lastElementChild as HTMLElement;
    const scroller = document.createElement('div');
    scroller.className = 'cl-body';
    this.scroller = scroller;
    const empty = document.createElement('p');
    empty.className = 'cl-none';
    empty.textContent = t('inspector.connections.none');
    this.none = empty;
    scroller.setAttribute('role', 'listbox');
    scroller.setAttribute('aria-label', t('inspector.connections.label'));
    scroller.tabIndex = 0;
    this.root.append(head, scroller, empty);
    host.append(this.root);
    this.list = new VirtualList({
      scroller,
      rowHeight: CONN_ROW_HEIGHT,
      createRow: () => {
        const el = document.createElement('div');
        el.className = 'cl-row cl-cols';
        el.setAttribute('role', 'option');
        for (const [cls] of cols) {
          const s = document.createElement('span');
          s.className = `cl-${cls}`;
          el.append(s);
        }
        // How the connection ended, in full, for screen readers (the state cell shows it short).
        const ending = document.createElement('span');
        ending.className = 'visually-hidden cl-ending';
        el.append(ending);
        return el;
      },
      renderRow: (el, i) => this.renderRow(el, i),
    });
    this.list.spacer.setAttribute('role', 'none');
    scroller.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.cl-row');
      const c = row ? this.shown[Number(row.dataset.i)] : undefined;
      if (c) this.choose(c);
    });
    scroller.addEventListener('keydown', (e) => {
      const i = this.selected ? this.shown.indexOf(this.selected) : -1;
      let next = -1;
      if (e.key === 'ArrowDown') next = Math.min(this.shown.length - 1, i + 1);
      else if (e.key === 'ArrowUp') next = Math.max(0, i - 1);
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = this.shown.length - 1;
      else {
        if (this.events.onKey?.(e)) e.preventDefault();
        return;
      }
      e.preventDefault();
      const c = this.shown[next];
      if (c) {
        this.choose(c);
        this.list.scrollToIndex(next);
      }
    });
  }

  setClock(now: () => number): void {
    this.now = now;
  }

  /** The rows' scroll position (kept by the list, so reading it costs no layout). */
  get scrollTop(): number {
    return this.list.scrollTop;
  }

  private choose(c: Connection): void {
    this.select(c);
    this.events.onSelect(c);
  }

  /** Shows these connections (already filtered), in order. */
  setConnections(list: Connection[]): void {
    this.shown = list;
    this.none.hidden = list.length > 0;
    const stick = this.list.atBottom();
    this.list.setCount(list.length);
    this.list.refresh();
    if (stick) this.list.scrollToIndex(list.length - 1);
  }

  /** Re-renders the rows of connections that changed. */
  refresh(changed: Set<Connection>): void {
    this.list.refreshRendered((i) => {
      const c = this.shown[i];
      return c !== undefined && changed.has(c);
    });
  }

  select(c: Connection | undefined): void {
    this.selected = c;
    this.list.refresh();
    const i = c ? this.shown.indexOf(c) : -1;
    if (i >= 0) this.list.scrollToIndex(i);
    const el = i >= 0 ? this.list.elementAt(i) : undefined;
    if (el?.id) this.list.scroller.setAttribute('aria-activedescendant', el.id);
  }

  private renderRow(el: HTMLElement, i: number): void {
    const c = this.shown[i];
    if (!c) return;
    const t = this.t;
    const s = c.summary();
    const tech = techniqueOf(c);
    const end = endingOf(c, t);
    el.dataset.i = String(i);
    el.id = `cl-${this.session}-${c.id}`;
    el.className = `cl-row cl-cols${c === this.selected ? ' sel' : ''}${c.open ? ' open' : ' closed'}`;
    el.setAttribute('aria-selected', c === this.selected ? 'true' : 'false');
    const [n, req, techEl, status, up, down, dur, state, , ending] = Array.from(el.children) as HTMLElement[];
    n!.textContent = String(c.index);
    const p = pathOf(s.path, this.session);
    const method = document.createElement('b');
    method.textContent = s.method ?? '…';
    req!.replaceChildren(method, ` ${p}`);
    if ((s.exchanges ?? 0) > 1) {
      const more = document.createElement('span');
      more.className = 'cl-more';
      more.textContent = `+${s.exchanges! - 1}`;
      more.title = t('inspector.exchanges', { n: s.exchanges! });
      req!.append(more);
    }
    req!.title = `${s.method ?? ''} ${s.path ?? ''}`;
    techEl!.replaceChildren();
    if (tech) {
      const b = document.createElement('span');
      b.className = 'insp-badge';
      b.dataset.kind = tech;
      const full = t(`inspector.technique.${tech}`);
      b.title = full;
      if (tech === 'websocket') {
        // The list's narrow layout shows "WS"; the stylesheet picks one.
        const long = document.createElement('span');
        long.className = 'full';
        long.textContent = full;
        const short = document.createElement('span');
        short.className = 'short';
        short.textContent = t('inspector.technique.websocket.short');
        b.append(long, short);
      } else {
        b.textContent = full;
      }
      techEl!.append(b);
    }
    status!.textContent = s.status === undefined ? '' : String(s.status);
    status!.className = `cl-status${s.status === undefined ? '' : s.status >= 400 ? ' bad' : s.status >= 300 ? ' meh' : ' ok'}`;
    up!.textContent = formatBytes(s.bytesIn);
    down!.textContent = formatBytes(s.bytesOut);
    dur!.textContent = this.t.duration(durationOf(c, this.now()));
    state!.className = `cl-state ${end.kind}`;
    // The row is named by its own text (WCAG 2.2 SC 2.5.3 Label in Name: what is seen is what is
    // said); how the connection ended, shown short, is read out in full.
    state!.textContent = end.short;
    state!.title = end.long;
    ending!.textContent = end.long;
  }

  destroy(): void {
    this.list.destroy();
    this.root.remove();
  }
}
