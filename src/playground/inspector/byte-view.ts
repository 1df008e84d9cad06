/**
 * The byte view: one connection's bytes as offset · hex · text rows, in the order they
 * crossed the socket. Each read or write starts with a line saying which way it went, when,
 * and how many bytes; client→server and server→client bytes wear their two colours.
 *
 * The text column shows what a byte means as text: printable ASCII as itself, CR LF and TAB
 * as small chips (the Control Pictures glyphs ␍ ␊ are in none of our fonts), and a multi-byte
 * UTF-8 character once, under its first byte, its continuation bytes marked as such.
 *
 * Virtualised: only the rows in view exist, so a long stream scrolls as fast as a short one.
 */
import type { Field, Range } from '../../wire/bytes.ts';
import { rangesOf } from './field-index.ts';
import {
  CONTROL_NAMES,
  formatBytes,
  formatOffsetTime,
  hex2,
  hexOffset,
  isContinuation,
  utf8CharAt,
  utf8SequenceLength,
} from './format.ts';
import type { Connection, Mark } from './model.ts';
import type { Dir } from './protocol.ts';
import type { Strings } from './strings.ts';
import { VirtualList } from './virtual-list.ts';

export type DirFilter = 'both' | Dir;

interface Row {
  kind: 'mark' | 'data';
  dir: Dir;
  mark: Mark;
  /** data: first byte offset and how many bytes this row shows. */
  off: number;
  len: number;
}

/** A contiguous byte selection in one direction, [start, end). */
export interface ByteSelection {
  dir: Dir;
  start: number;
  end: number;
}

export interface ByteViewEvents {
  /** The pointer is over byte `off` of `dir` (or left the bytes: null). */
  onHoverByte(dir: Dir | null, off: number): void;
  /** A byte was clicked (not dragged): select what it belongs to. */
  onClickByte(dir: Dir, off: number): void;
  /** A range of bytes was selected by dragging (or cleared: null). */
  onSelectRange(sel: ByteSelection | null): void;
}

export const BYTE_ROW_HEIGHT = 20;

export class ByteView {
  readonly root: HTMLElement;
  private readonly list: VirtualList;
  private readonly t: Strings;
  private readonly events: ByteViewEvents;
  private conn: Connection | undefined;
  private filter: DirFilter = 'both';
  private perRow = 16;
  private rows: Row[] = [];
  /** Rows before this index show bytes no longer kept: they are skipped. */
  private firstLive = 0;
  private builtMarks: Mark | undefined;
  private offsetDigits = 4;
  private hover: { dir: Dir; ranges: readonly Range[] } | undefined;
  private selected: { dir: Dir; ranges: readonly Range[] } | undefined;
  private hoverByte: { dir: Dir; off: number } | undefined;
  private drag: { dir: Dir; anchor: number; moved: boolean } | undefined;
  private readonly notice: HTMLElement;
  private readonly resize: ResizeObserver;
  private timeBase: () => number = () => 0;

  constructor(host: HTMLElement, t: Strings, events: ByteViewEvents) {
    this.t = t;
    this.events = events;
    this.root = document.createElement('div');
    this.root.className = 'bv';
    this.notice = document.createElement('div');
    this.notice.className = 'bv-notice';
    this.notice.hidden = true;
    const scroller = document.createElement('div');
    scroller.className = 'bv-scroll';
    scroller.setAttribute('role', 'region');
    scroller.setAttribute('aria-label', t('inspector.bytes.label'));
    scroller.tabIndex = 0;
    this.root.append(this.notice, scroller);
    host.append(this.root);
    this.list = new VirtualList({
      scroller,
      rowHeight: BYTE_ROW_HEIGHT,
      createRow: () => {
        const el = document.createElement('div');
        el.className = 'bv-row';
        return el;
      },
      renderRow: (el, i) => this.renderRow(el, i),
    });
    scroller.addEventListener('pointermove', (e) => this.pointerMove(e));
    scroller.addEventListener('pointerleave', () => {
      this.hoverByte = undefined;
      this.events.onHoverByte(null, 0);
    });
    scroller.addEventListener('pointerdown', (e) => this.pointerDown(e));
    scroller.addEventListener('pointerup', (e) => this.pointerUp(e));
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(scroller);
  }

  /** Sets how capture times are shown: relative to this capture time. */
  setTimeBase(f: () => number): void {
    this.timeBase = f;
  }

  /** Shows this connection's bytes (or none). */
  setConnection(c: Connection | undefined): void {
    if (c === this.conn) return;
    this.conn = c;
    this.hover = undefined;
    this.selected = undefined;
    this.list.setFollow(false);
    this.list.scrollTo(0);
    this.rebuild();
  }

  setFilter(f: DirFilter): void {
    if (f === this.filter) return;
    this.filter = f;
    this.rebuild();
  }

  /** Bytes shown per row (16 or 8, by width). */
  get bytesPerRow(): number {
    return this.perRow;
  }

  private fit(): void {
    const w = this.list.scroller.clientWidth;
    const ch = measureCh(this.list.scroller);
    // offset, 2.7 ch per hex byte, 1.25 ch per text byte, the gaps (inspector.css), edge and scrollbar.
    const need = (n: number) =>
      (this.offsetDigits + 1.5 + n * 2.7 + (n === 16 ? 0.8 : 0) + 2 + n * 1.25) * ch + 22;
    const per = w >= need(16) ? 16 : w >= need(8) ? 8 : 4;
    if (per !== this.perRow || this.root.dataset.per === undefined) {
      this.perRow = per;
      this.root.dataset.per = String(per);
      this.rebuild();
    }
  }

  /** Rebuilds the rows from the marks (after a change of connection, filter or width). */
  private rebuild(): void {
    this.rows = [];
    this.firstLive = 0;
    this.builtMarks = undefined;
    this.update();
    this.list.refresh();
  }

  /** Takes in the marks added since the last update, and drops rows whose bytes are gone. */
  update(): void {
    const c = this.conn;
    if (!c) {
      this.list.setCount(0);
      this.notice.hidden = true;
      return;
    }
    const marks = c.marks;
    // Marks are appended, and dropped from the front when over the cap: start after the last
    // one built (when even that one was dropped, every mark left is new).
    const from = this.builtMarks ? marks.lastIndexOf(this.builtMarks) + 1 : 0;
    const w = this.perRow;
    const end = Math.max(c.bytes.in.end, c.bytes.out.end);
    this.offsetDigits = Math.max(4, end.toString(16).length);
    for (let i = from; i < marks.length; i++) {
      const m = marks[i]!;
      if (this.filter !== 'both' && m.dir !== this.filter) continue;
      this.rows.push({ kind: 'mark', dir: m.dir, mark: m, off: m.off, len: m.len });
      for (let o = 0; o < m.len; o += w) {
        this.rows.push({ kind: 'data', dir: m.dir, mark: m, off: m.off + o, len: Math.min(w, m.len - o) });
      }
    }
    this.builtMarks = marks[marks.length - 1] ?? this.builtMarks;
    // Skip rows whose bytes were dropped for the display cap.
    const before = this.firstLive;
    while (this.firstLive < this.rows.length) {
      const r = this.rows[this.firstLive]!;
      const store = c.bytes[r.dir];
      if (r.mark.off + r.mark.len > store.start) break;
      this.firstLive++;
    }
    if (this.firstLive > 4096 && this.firstLive * 2 > this.rows.length) {
      this.rows.splice(0, this.firstLive);
      this.firstLive = 0;
    }
    const dropped = c.bytes.in.droppedBytes + c.bytes.out.droppedBytes;
    const missing = c.bytes.in.missingBytes + c.bytes.out.missingBytes;
    const parts: string[] = [];
    if (dropped > 0) parts.push(this.t('inspector.bytes.dropped', { n: formatBytes(dropped) }));
    if (missing > 0) parts.push(this.t('inspector.bytes.missing', { n: formatBytes(missing) }));
    this.notice.hidden = parts.length === 0;
    this.notice.textContent = parts.join(' ');
    const stick = this.list.stickToBottom;
    this.list.setCount(this.rows.length - this.firstLive);
    if (before !== this.firstLive) this.list.refresh();
    else if (stick) this.list.refresh();
  }

  /**
   * Lights the bytes of the field under the pointer in the tree (or none). When none of them
   * is in view, the view goes to them after a moment (not at once: a pointer crossing the tree
   * would make it jump).
   */
  setHover(f: Field | undefined): void {
    this.hover = f ? { dir: f.dir, ranges: rangesOf(f) } : undefined;
    this.list.refresh();
    clearTimeout(this.revealTimer);
    if (!f) return;
    this.revealTimer = window.setTimeout(() => {
      if (this.hover?.dir !== f.dir || this.inView(f)) return;
      const first = rangesOf(f)[0];
      if (first) this.reveal(f.dir, first[0]);
    }, 150);
  }

  private revealTimer = 0;

  /** Whether any byte of `f` is on screen. */
  private inView(f: Field): boolean {
    const [top, bottom] = this.list.visibleRange();
    for (const [a, b] of rangesOf(f)) {
      const first = this.rowOf(f.dir, a);
      const last = this.rowOf(f.dir, Math.max(a, b - 1));
      if (first < 0 && last < 0) continue;
      const lo = first < 0 ? last : first;
      const hi = last < 0 ? first : last;
      if (hi >= top && lo <= bottom) return true;
    }
    return false;
  }

  /** Marks the bytes of the selected field or range, and brings them into view. */
  setSelected(sel: { dir: Dir; ranges: readonly Range[] } | undefined, reveal = true): void {
    this.selected = sel;
    this.list.refresh();
    if (sel && reveal) {
      const first = sel.ranges[0];
      if (first) this.reveal(sel.dir, first[0]);
    }
  }

  /** Scrolls to byte `off` of `dir`. */
  reveal(dir: Dir, off: number): void {
    const i = this.rowOf(dir, off);
    if (i >= 0) {
      this.list.stickToBottom = false;
      this.list.scrollToIndex(i, 'center');
    }
  }

  /** Scrolls to the start of read/write `m`. */
  revealMark(m: Mark): void {
    for (let i = this.firstLive; i < this.rows.length; i++) {
      if (this.rows[i]!.mark === m) {
        this.list.stickToBottom = false;
        this.list.scrollToIndex(i - this.firstLive, 'start');
        return;
      }
    }
  }

  /** Index (in the visible list) of the data row holding byte `off` of `dir`, or -1. */
  private rowOf(dir: Dir, off: number): number {
    // Rows of one direction are in offset order: binary search, stepping over the other direction.
    let lo = this.firstLive;
    let hi = this.rows.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      let j = mid;
      while (j <= hi && this.rows[j]!.dir !== dir) j++;
      if (j > hi) {
        hi = mid - 1;
        continue;
      }
      const r = this.rows[j]!;
      if (r.kind === 'data' && off >= r.off && off < r.off + r.len) {
        found = j;
        break;
      }
      if (off < r.off) hi = mid - 1;
      else lo = j + 1;
    }
    return found === -1 ? -1 : found - this.firstLive;
  }

  private rowAt(i: number): Row | undefined {
    return this.rows[i + this.firstLive];
  }

  private renderRow(el: HTMLElement, i: number): void {
    const r = this.rowAt(i);
    const c = this.conn;
    if (!r || !c) {
      el.replaceChildren();
      return;
    }
    el.dataset.dir = r.dir;
    el.dataset.i = String(i);
    if (r.kind === 'mark') {
      this.renderMark(el, r);
      return;
    }
    this.renderData(el, r, c);
  }

  private renderMark(el: HTMLElement, r: Row): void {
    el.className = `bv-row bv-mark dir-${r.dir}`;
    el.removeAttribute('data-off');
    const t = this.t;
    const label = r.dir === 'in' ? t('inspector.dir.in') : t('inspector.dir.out');
    const arrow = document.createElement('span');
    arrow.className = 'bv-arrow';
    arrow.textContent = r.dir === 'in' ? '→' : '←';
    const what = document.createElement('span');
    what.className = 'bv-what';
    what.textContent = label;
    const size = document.createElement('span');
    size.className = 'bv-size';
    size.textContent = formatBytes(r.mark.len);
    const when = document.createElement('span');
    when.className = 'bv-when';
    when.textContent = formatOffsetTime(r.mark.t - this.timeBase());
    el.replaceChildren(arrow, what, size, when);
  }

  private renderData(el: HTMLElement, r: Row, c: Connection): void {
    const w = this.perRow;
    if (
      !el.classList.contains('bv-data') ||
      el.childElementCount !== 3 ||
      el.children[1]!.childElementCount !== w
    ) {
      el.replaceChildren();
      const off = document.createElement('span');
      off.className = 'bv-off';
      const hexCol = document.createElement('span');
      hexCol.className = 'bv-hex';
      const textCol = document.createElement('span');
      textCol.className = 'bv-text';
      for (let k = 0; k < w; k++) {
        const h = document.createElement('span');
        h.dataset.k = String(k);
        hexCol.append(h);
        const x = document.createElement('span');
        x.dataset.k = String(k);
        textCol.append(x);
      }
      el.append(off, hexCol, textCol);
    }
    el.className = `bv-row bv-data dir-${r.dir}`;
    el.dataset.off = String(r.off);
    const store = c.bytes[r.dir];
    const at = (o: number) => store.byteAt(o);
    (el.children[0] as HTMLElement).textContent = hexOffset(r.off, this.offsetDigits);
    const hexCells = el.children[1]!.children;
    const textCells = el.children[2]!.children;
    for (let k = 0; k < w; k++) {
      const h = hexCells[k] as HTMLElement;
      const x = textCells[k] as HTMLElement;
      if (k >= r.len) {
        h.textContent = '';
        h.className = 'b empty';
        x.textContent = '';
        x.className = 'c empty';
        continue;
      }
      const off = r.off + k;
      const b = at(off);
      const mark = this.markClass(r.dir, off);
      if (b < 0) {
        h.textContent = '··';
        h.className = `b gone${mark}`;
        x.textContent = '';
        x.className = `c gone${mark}`;
        continue;
      }
      h.textContent = hex2(b);
      h.className = `b${mark}`;
      this.textCell(x, b, off, at, r.off + r.len - off, mark);
    }
  }

  /** Fills one text cell for byte `b` at `off`; `room` is how many cells are left in the row from it. */
  private textCell(
    x: HTMLElement,
    b: number,
    off: number,
    at: (o: number) => number,
    room: number,
    mark: string,
  ): void {
    if (b >= 0x21 && b <= 0x7e) {
      x.textContent = String.fromCharCode(b);
      x.className = `c${mark}`;
      return;
    }
    if (b === 0x20) {
      x.textContent = '\u00a0';
      x.className = `c sp${mark}`;
      return;
    }
    const name = CONTROL_NAMES[b];
    if (name && name.length === 2) {
      x.textContent = name;
      x.className = `c ctl${mark}`;
      return;
    }
    if (b >= 0x80) {
      if (utf8SequenceLength(b) > 0) {
        const ch = utf8CharAt(at, off);
        if (ch) {
          x.textContent = ch.char;
          x.className = `c mb${room < ch.len ? ' mb-cut' : ''}${mark}`;
          return;
        }
      } else if (isContinuation(b) && continues(at, off)) {
        x.textContent = '';
        x.className = `c cont${mark}`;
        return;
      }
    }
    x.textContent = '·';
    x.className = `c dot${mark}`;
  }

  /** ' hl', ' sel', ' hv' for bytes in the hovered field, the selection, under the pointer. */
  private markClass(dir: Dir, off: number): string {
    let s = '';
    if (this.hover && this.hover.dir === dir && inRanges(this.hover.ranges, off)) s += ' hl';
    if (this.selected && this.selected.dir === dir && inRanges(this.selected.ranges, off)) s += ' sel';
    if (this.hoverByte && this.hoverByte.dir === dir && this.hoverByte.off === off) s += ' hv';
    return s;
  }

  /** The direction and offset of the byte cell under a pointer event, if any. */
  private byteUnder(e: PointerEvent): { dir: Dir; off: number } | undefined {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-k]');
    const row = cell?.closest<HTMLElement>('.bv-data');
    if (!cell || !row || row.dataset.off === undefined) return undefined;
    const k = Number(cell.dataset.k);
    const r = this.rowAt(Number(row.dataset.i));
    if (!r || k >= r.len) return undefined;
    return { dir: r.dir, off: r.off + k };
  }

  private pointerMove(e: PointerEvent): void {
    const hit = this.byteUnder(e);
    if (this.drag && hit && hit.dir === this.drag.dir && e.buttons & 1) {
      if (hit.off !== this.drag.anchor) this.drag.moved = true;
      const start = Math.min(this.drag.anchor, hit.off);
      const end = Math.max(this.drag.anchor, hit.off) + 1;
      this.selected = { dir: hit.dir, ranges: [[start, end]] };
    }
    const same = hit && this.hoverByte && hit.dir === this.hoverByte.dir && hit.off === this.hoverByte.off;
    if (same) return;
    this.hoverByte = hit;
    this.list.refresh();
    this.events.onHoverByte(hit?.dir ?? null, hit?.off ?? 0);
  }

  private pointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const hit = this.byteUnder(e);
    if (!hit) return;
    if (e.shiftKey && this.selected && this.selected.dir === hit.dir) {
      const [a] = this.selected.ranges[0] ?? [hit.off];
      const start = Math.min(a, hit.off);
      const end = Math.max(a, hit.off) + 1;
      this.selected = { dir: hit.dir, ranges: [[start, end]] };
      this.list.refresh();
      this.events.onSelectRange({ dir: hit.dir, start, end });
      return;
    }
    this.drag = { dir: hit.dir, anchor: hit.off, moved: false };
  }

  private pointerUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = undefined;
    if (!d) return;
    const hit = this.byteUnder(e);
    if (!d.moved) {
      this.events.onClickByte(d.dir, d.anchor);
      return;
    }
    const last = hit && hit.dir === d.dir ? hit.off : d.anchor;
    const start = Math.min(d.anchor, last);
    const end = Math.max(d.anchor, last) + 1;
    this.selected = { dir: d.dir, ranges: [[start, end]] };
    this.list.refresh();
    this.events.onSelectRange({ dir: d.dir, start, end });
  }

  /** Follows new bytes as they arrive (true) or stays where the reader scrolled (false). */
  follow(on: boolean): void {
    this.list.setFollow(on);
  }

  destroy(): void {
    clearTimeout(this.revealTimer);
    this.resize.disconnect();
    this.list.destroy();
    this.root.remove();
  }
}

function inRanges(ranges: readonly Range[], off: number): boolean {
  for (const [s, e] of ranges) if (off >= s && off < e) return true;
  return false;
}

/** Whether the continuation byte at `off` belongs to a well-formed character starting up to 3 bytes before. */
function continues(at: (o: number) => number, off: number): boolean {
  for (let k = 1; k <= 3; k++) {
    const lead = at(off - k);
    if (lead < 0) return false;
    const len = utf8SequenceLength(lead);
    if (len > 0) return len > k && utf8CharAt(at, off - k) !== null;
    if (!isContinuation(lead)) return false;
  }
  return false;
}

const chCache = new Map<string, number>();
/**
 * The width of one monospace character in the byte view, in CSS px of its layout (as
 * `clientWidth` counts them). `offsetWidth`, not `getBoundingClientRect()`: under CSS zoom (the
 * projector's) the latter is in zoomed pixels. Per font size, which the projector changes.
 */
function measureCh(host: HTMLElement): number {
  const font = getComputedStyle(host).fontSize;
  const cached = chCache.get(font);
  if (cached) return cached;
  const probe = document.createElement('span');
  probe.className = 'bv-probe';
  probe.textContent = '0'.repeat(100); // offsetWidth is whole pixels: 100 characters make it exact enough
  host.append(probe);
  const w = probe.offsetWidth / 100;
  probe.remove();
  if (w > 0) chCache.set(font, w);
  return w || 7.5;
}
