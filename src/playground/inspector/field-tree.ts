/**
 * The decoded tree: the dissector's fields for one connection, one row each, nested as the
 * protocol nests them (a response → its status line and headers; a frame → FIN, opcode, mask,
 * payload). Hover or select a row and the byte view lights its bytes.
 *
 * A WAI-ARIA tree with a roving tabindex: ↑ ↓ move, → opens or goes to the first child,
 * ← closes or goes to the parent, Home/End jump, Enter/Space select. Virtualised like the
 * byte view, so thousands of SSE events cost only the rows on screen.
 */
import type { Field } from '../../wire/bytes.ts';
import type { DirFilter } from './byte-view.ts';
import type { FieldIndex } from './field-index.ts';
import { formatOffsetTime } from './format.ts';
import type { Strings } from './strings.ts';
import { VirtualList } from './virtual-list.ts';

interface Node {
  field: Field;
  depth: number;
  parent: number;
  posinset: number;
  setsize: number;
  open: boolean;
  hasChildren: boolean;
}

export interface FieldTreeEvents {
  onHover(f: Field | undefined): void;
  onSelect(f: Field | undefined): void;
}

export const TREE_ROW_HEIGHT = 24;

export class FieldTree {
  readonly root: HTMLElement;
  private readonly list: VirtualList;
  private readonly events: FieldTreeEvents;
  private items: readonly Field[] = [];
  private filter: DirFilter = 'both';
  private nodes: Node[] = [];
  /** Rows the reader opened or closed; the rest follow the default (top-level items open). */
  private toggled = new WeakMap<Field, boolean>();
  private active = 0;
  private selected: Field | undefined;
  private hovered: Field | undefined;
  private timeBase: () => number = () => 0;
  private seenItems = 0;
  private readonly t: Strings;

  constructor(host: HTMLElement, t: Strings, events: FieldTreeEvents) {
    this.events = events;
    this.t = t;
    this.root = document.createElement('div');
    this.root.className = 'ft';
    this.root.setAttribute('role', 'tree');
    this.root.setAttribute('aria-label', t('inspector.tree.label'));
    host.append(this.root);
    this.list = new VirtualList({
      scroller: this.root,
      rowHeight: TREE_ROW_HEIGHT,
      createRow: () => {
        const el = document.createElement('div');
        el.className = 'ft-row';
        el.setAttribute('role', 'treeitem');
        el.tabIndex = -1;
        const twisty = document.createElement('span');
        twisty.className = 'ft-twisty';
        twisty.setAttribute('aria-hidden', 'true');
        const label = document.createElement('span');
        label.className = 'ft-label';
        const value = document.createElement('span');
        value.className = 'ft-value';
        const err = document.createElement('span');
        err.className = 'ft-err';
        const time = document.createElement('span');
        time.className = 'ft-time';
        el.append(twisty, label, value, err, time);
        return el;
      },
      renderRow: (el, i) => this.renderRow(el, i),
    });
    this.list.spacer.setAttribute('role', 'none');
    this.root.addEventListener('keydown', (e) => this.keydown(e));
    this.root.addEventListener('click', (e) => {
      const i = this.indexOf(e.target);
      if (i < 0) return;
      const onTwisty = (e.target as HTMLElement).closest('.ft-twisty');
      if (onTwisty) this.toggle(i);
      else this.select(i, true);
    });
    this.root.addEventListener('dblclick', (e) => {
      const i = this.indexOf(e.target);
      if (i >= 0 && !(e.target as HTMLElement).closest('.ft-twisty')) this.toggle(i);
    });
    this.root.addEventListener('pointerover', (e) => {
      const i = this.indexOf(e.target);
      const f = i >= 0 ? this.nodes[i]?.field : undefined;
      if (f !== this.hovered) {
        this.hovered = f;
        this.list.refresh();
        this.events.onHover(f);
      }
    });
    this.root.addEventListener('pointerleave', () => {
      if (!this.hovered) return;
      this.hovered = undefined;
      this.list.refresh();
      this.events.onHover(undefined);
    });
    this.root.addEventListener('focusin', (e) => {
      const i = this.indexOf(e.target);
      if (i >= 0 && i !== this.active) {
        this.active = i;
        this.list.refresh();
      }
    });
  }

  setTimeBase(f: () => number): void {
    this.timeBase = f;
  }

  /** Shows a new list of items (another connection): selection and open rows start afresh. */
  setItems(items: readonly Field[]): void {
    this.items = items;
    this.toggled = new WeakMap();
    this.selected = undefined;
    this.hovered = undefined;
    this.active = 0;
    this.seenItems = 0;
    this.seenFirst = undefined;
    this.list.setFollow(false);
    this.list.scrollTo(0);
    this.update(true);
  }

  setFilter(f: DirFilter): void {
    if (f === this.filter) return;
    this.filter = f;
    this.update(true);
  }

  /**
   * Takes in items the dissector added or grew. Appended items (and a grown last item) are
   * flattened alone; only a new list, a filter change or items dropped from the front
   * (the dissector's item cap) flatten everything again.
   */
  update(force = false): void {
    const items = this.items;
    const last = items[items.length - 1];
    const lastCount = last ? countFields(last) : 0;
    const structural = force || items[0] !== this.seenFirst || items.length < this.seenItems;
    if (structural) {
      this.flattenFrom(0, true);
    } else if (items.length !== this.seenItems || lastCount !== this.lastChildCount) {
      this.flattenFrom(Math.max(0, this.seenItems - 1), false);
    } else {
      this.list.refresh(); // values may have changed in place (a body's byte count)
      return;
    }
    this.seenItems = items.length;
    this.seenFirst = items[0];
    this.lastChildCount = lastCount;
    const activeField = this.activeField;
    if (activeField && this.nodes[this.active]?.field !== activeField) {
      const i = this.nodes.findIndex((n) => n.field === activeField);
      this.active = i >= 0 ? i : Math.min(this.active, Math.max(0, this.nodes.length - 1));
    }
    this.list.setCount(this.nodes.length);
    this.list.refresh();
  }

  private seenFirst: Field | undefined;
  private lastChildCount = -1;
  /** Per shown top-level item: its index in `items` and the index of its row. */
  private topItem: number[] = [];
  private topNode: number[] = [];

  private get activeField(): Field | undefined {
    return this.nodes[this.active]?.field;
  }

  private isOpen(f: Field, depth: number): boolean {
    const t = this.toggled.get(f);
    return t ?? depth === 0;
  }

  /** Re-flattens the rows from top-level item `from` on (all of them when `all`). */
  private flattenFrom(from: number, all: boolean): void {
    let j = 0;
    if (all) {
      this.nodes = [];
      this.topItem = [];
      this.topNode = [];
    } else {
      // First shown top-level item at or after `from`.
      let lo = 0;
      let hi = this.topItem.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.topItem[mid]! < from) lo = mid + 1;
        else hi = mid;
      }
      j = lo;
      this.nodes.length = j < this.topNode.length ? this.topNode[j]! : this.nodes.length;
      this.topItem.length = j;
      this.topNode.length = j;
    }
    const out = this.nodes;
    const visit = (fields: readonly Field[], depth: number, parent: number) => {
      fields.forEach((f, k) => {
        const hasChildren = !!f.children && f.children.length > 0;
        const open = hasChildren && this.isOpen(f, depth);
        const me = out.length;
        out.push({ field: f, depth, parent, posinset: k + 1, setsize: fields.length, open, hasChildren });
        if (open) visit(f.children!, depth + 1, me);
      });
    };
    const items = this.items;
    for (let i = all ? 0 : from; i < items.length; i++) {
      const f = items[i]!;
      if (this.filter !== 'both' && f.dir !== this.filter) continue;
      this.topItem.push(i);
      this.topNode.push(out.length);
      const hasChildren = !!f.children && f.children.length > 0;
      const open = hasChildren && this.isOpen(f, 0);
      const me = out.length;
      out.push({
        field: f,
        depth: 0,
        parent: -1,
        posinset: this.topItem.length,
        setsize: 0,
        open,
        hasChildren,
      });
      if (open) visit(f.children!, 1, me);
    }
  }

  private renderRow(el: HTMLElement, i: number): void {
    const n = this.nodes[i];
    if (!n) return;
    const f = n.field;
    el.dataset.i = String(i);
    el.dataset.kind = f.kind;
    el.className = `ft-row dir-${f.dir}${n.depth === 0 ? ' top' : ''}${f === this.selected ? ' sel' : ''}${
      f === this.hovered ? ' hv' : ''
    }${f.error ? ' has-err' : ''}`;
    el.style.setProperty('--depth', String(n.depth));
    el.setAttribute('aria-level', String(n.depth + 1));
    el.setAttribute('aria-posinset', String(n.posinset));
    el.setAttribute('aria-setsize', String(n.depth === 0 ? this.topItem.length : n.setsize));
    el.setAttribute('aria-selected', f === this.selected ? 'true' : 'false');
    if (n.hasChildren) el.setAttribute('aria-expanded', n.open ? 'true' : 'false');
    else el.removeAttribute('aria-expanded');
    el.tabIndex = i === this.clampedActive() ? 0 : -1;
    const [twisty, label, value, err, time] = Array.from(el.children) as HTMLElement[];
    twisty!.textContent = n.hasChildren ? (n.open ? '▾' : '▸') : '';
    // The dissectors write English; the page's language is drawn (wire-text.ts). Values are bytes.
    label!.textContent = this.t.wire(f.label, f.kind);
    value!.textContent = f.value !== undefined && !f.label.includes(f.value) ? oneLine(f.value) : '';
    err!.textContent = f.error ? `⚠ ${this.t.wire(f.error.message)}` : '';
    time!.textContent =
      n.depth === 0 && typeof f.t === 'number' ? formatOffsetTime(f.t - this.timeBase()) : '';
    el.title = f.note ? this.t.wire(f.note) : '';
  }

  /** The active row, kept within the rows that exist (so Tab always lands somewhere). */
  private clampedActive(): number {
    const [first, last] = this.list.visibleRange();
    if (this.active >= first - 6 && this.active <= last + 6) return this.active;
    return Math.max(0, first);
  }

  private indexOf(target: EventTarget | null): number {
    const row = (target as HTMLElement | null)?.closest?.<HTMLElement>('.ft-row');
    return row?.dataset.i === undefined ? -1 : Number(row.dataset.i);
  }

  private toggle(i: number, open?: boolean): void {
    const n = this.nodes[i];
    if (!n?.hasChildren) return;
    const next = open ?? !n.open;
    if (next === n.open) return;
    this.toggled.set(n.field, next);
    this.active = i;
    this.update(true);
  }

  private focusRow(i: number): void {
    if (this.nodes.length === 0) return;
    this.active = Math.max(0, Math.min(this.nodes.length - 1, i));
    this.list.stickToBottom = false;
    this.list.scrollToIndex(this.active);
    this.list.refresh();
    this.list.elementAt(this.active)?.focus({ preventScroll: true });
  }

  private select(i: number, focus: boolean): void {
    const n = this.nodes[i];
    if (!n) return;
    this.selected = n.field;
    if (focus) this.focusRow(i);
    else {
      this.active = i;
      this.list.refresh();
    }
    this.events.onSelect(n.field);
  }

  private keydown(e: KeyboardEvent): void {
    const i = this.active;
    const n = this.nodes[i];
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        this.focusRow(i + 1);
        break;
      case 'ArrowUp':
        this.focusRow(i - 1);
        break;
      case 'Home':
        this.focusRow(0);
        break;
      case 'End':
        this.focusRow(this.nodes.length - 1);
        break;
      case 'ArrowRight':
        if (n?.hasChildren && !n.open) this.toggle(i, true);
        else if (n?.open) this.focusRow(i + 1);
        break;
      case 'ArrowLeft':
        if (n?.open) this.toggle(i, false);
        else if (n && n.parent >= 0) this.focusRow(n.parent);
        break;
      case 'Enter':
      case ' ':
        this.select(i, true);
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      // Keyboard movement lights the bytes like hovering does.
      const f = this.nodes[this.active]?.field;
      if (e.key !== 'Enter' && e.key !== ' ') this.events.onHover(f);
    }
  }

  /**
   * Lights the row of the field a byte under the pointer belongs to: the field itself when its
   * row is on screen, else its nearest ancestor that is (a header's row when its name is
   * folded inside it). `path` runs from the top-level item down to the field.
   */
  hoverField(path: readonly Field[]): void {
    let f: Field | undefined;
    if (path.length > 0) {
      const want = new Set(path);
      const [first, last] = this.list.visibleRange();
      let depth = -1;
      for (let i = Math.max(0, first); i <= last; i++) {
        const n = this.nodes[i];
        if (n && want.has(n.field) && n.depth > depth) {
          f = n.field;
          depth = n.depth;
        }
      }
      f ??= path[path.length - 1];
    }
    if (f === this.hovered) return;
    this.hovered = f;
    this.list.refresh();
  }

  /** Selects `f`, opening its ancestors and scrolling it into view. */
  reveal(f: Field, index: FieldIndex, select = true): void {
    const path = index.pathTo(f);
    for (const p of path.slice(0, -1)) this.toggled.set(p, true);
    this.update(true);
    const i = this.nodes.findIndex((n) => n.field === f);
    if (i < 0) return;
    if (select) this.selected = f;
    this.active = i;
    this.list.stickToBottom = false;
    this.list.scrollToIndex(i, 'center');
    this.list.refresh();
    if (select) this.events.onSelect(f);
  }

  /** Follows new items as they arrive. */
  follow(on: boolean): void {
    this.list.setFollow(on);
  }

  get selection(): Field | undefined {
    return this.selected;
  }

  /** Row count (for tests and the empty message). */
  get size(): number {
    return this.nodes.length;
  }

  destroy(): void {
    this.list.destroy();
    this.root.remove();
  }
}

function oneLine(s: string): string {
  const flat = s.replace(/\r\n|\r|\n/g, '⏎');
  return flat.length > 200 ? flat.slice(0, 200) + '…' : flat;
}

function countFields(f: Field): number {
  let n = 1;
  if (f.children) for (const c of f.children) n += countFields(c);
  return n;
}
