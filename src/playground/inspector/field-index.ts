/**
 * Finds fields by byte: "which field is the byte at offset 812 of server→client in?" —
 * the innermost one, so hovering a byte lights the header line, not the whole response —
 * and the path from a top-level item down to a field, to open the tree to it.
 *
 * Built incrementally: the dissector appends items (and drops its oldest past its cap), so
 * each update only sorts in the new ones. Paths are found on demand, by byte position, so a
 * stream of thousands of items costs no bookkeeping per field.
 */
import type { Field, Range } from '../../wire/bytes.ts';
import type { Dir } from './protocol.ts';

/** The byte ranges a field covers. */
export function rangesOf(f: Field): readonly Range[] {
  return f.ranges && f.ranges.length > 0 ? f.ranges : [[f.start, f.end]];
}

/** Whether the field covers byte `off` of its direction. */
export function covers(f: Field, off: number): boolean {
  if (off < f.start || off >= f.end) return false;
  if (!f.ranges || f.ranges.length === 0) return true;
  for (const [s, e] of f.ranges) if (off >= s && off < e) return true;
  return false;
}

/** How many candidate items before the byte a lookup checks (items overlap: chunks and the events inside them). */
const LOOKBACK = 48;

export class FieldIndex {
  /** Top-level items per direction, ordered by start. */
  private byDir: Record<Dir, Field[]> = { in: [], out: [] };
  private seen = 0;
  private lastItem: Field | undefined;
  /** Items in the order they were taken in, oldest first. */
  private readonly order: Field[] = [];

  /**
   * Takes in the items appended (and the last one grown) since the previous call. Items the
   * dissector dropped from the front (its item cap) are let go of too.
   */
  update(items: readonly Field[]): void {
    let from = 0;
    if (this.lastItem) {
      // Where the last item we saw is now: new items follow it, dropped ones preceded it.
      const at = items.lastIndexOf(this.lastItem);
      if (at === -1) {
        this.reset();
      } else {
        this.dropFront(this.seen - 1 - at);
        from = at; // re-walk it: it may have grown
      }
    }
    for (let i = from; i < items.length; i++) {
      if (i > from || !this.lastItem) this.insert(items[i]!);
    }
    this.seen = items.length;
    this.lastItem = items[items.length - 1];
  }

  /** Forgets the `n` oldest items: one splice per direction, as they sit at the front. */
  private dropFront(n: number): void {
    if (n <= 0) return;
    const dropped = new Set(this.order.splice(0, n));
    for (const dir of ['in', 'out'] as const) {
      const list = this.byDir[dir];
      let k = 0;
      while (k < list.length && dropped.has(list[k]!)) k++;
      list.splice(0, k);
      // Any left behind (an item that started before an older one): filter them out.
      let mine = 0;
      for (const f of dropped) if (f.dir === dir) mine++;
      if (k < mine) this.byDir[dir] = list.filter((f) => !dropped.has(f));
    }
  }

  private reset(): void {
    this.byDir.in.length = 0;
    this.byDir.out.length = 0;
    this.order.length = 0;
    this.seen = 0;
    this.lastItem = undefined;
  }

  private insert(item: Field): void {
    this.order.push(item);
    const list = this.byDir[item.dir];
    let i = list.length;
    while (i > 0 && list[i - 1]!.start > item.start) i--;
    list.splice(i, 0, item);
  }

  /** The field's parent: null for a top-level item, undefined for a field the index does not hold. */
  parentOf(f: Field): Field | null | undefined {
    const path = this.pathTo(f);
    if (path.length === 0) return undefined;
    return path.length === 1 ? null : path[path.length - 2];
  }

  /** The chain from the top-level item down to `f` (inclusive); empty when `f` is not held. */
  pathTo(f: Field): Field[] {
    const list = this.byDir[f.dir];
    const last = this.lastStartingAtOrBefore(list, f.start);
    for (let i = last; i >= 0 && i > last - LOOKBACK * 4; i--) {
      const path = findPath(list[i]!, f);
      if (path) return path;
    }
    return [];
  }

  /** Index of the last item in `list` whose start is ≤ `off`, or -1. */
  private lastStartingAtOrBefore(list: readonly Field[], off: number): number {
    let lo = 0;
    let hi = list.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start <= off) {
        idx = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return idx;
  }

  /** The innermost field covering byte `off` of direction `dir`, or undefined. */
  innermost(dir: Dir, off: number): Field | undefined {
    const list = this.byDir[dir];
    const idx = this.lastStartingAtOrBefore(list, off);
    let best: Field | undefined;
    let bestSize = Number.POSITIVE_INFINITY;
    let bestDepth = -1;
    for (let i = idx; i >= 0 && i > idx - LOOKBACK; i--) {
      const item = list[i]!;
      if (!covers(item, off)) continue;
      const [leaf, depth] = descend(item, off, 0);
      const size = span(leaf);
      if (size < bestSize || (size === bestSize && depth > bestDepth)) {
        best = leaf;
        bestSize = size;
        bestDepth = depth;
      }
    }
    return best;
  }
}

/** The path from `root` down to `target`, or null when `target` is not in its subtree. */
function findPath(root: Field, target: Field): Field[] | null {
  if (root === target) return [root];
  if (target.start < root.start || target.start > root.end) return null;
  for (const c of root.children ?? []) {
    const p = findPath(c, target);
    if (p) return [root, ...p];
  }
  return null;
}

function span(f: Field): number {
  let n = 0;
  for (const [s, e] of rangesOf(f)) n += e - s;
  return n;
}

/** The deepest descendant of `f` covering `off` (`f` itself when no child does), and its depth. */
function descend(f: Field, off: number, depth: number): [Field, number] {
  if (f.children) {
    for (const c of f.children) {
      if (c.dir === f.dir && covers(c, off)) return descend(c, off, depth + 1);
    }
  }
  return [f, depth];
}
