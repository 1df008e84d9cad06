/**
 * Rows of one fixed height in a scrolling box, of which only the visible ones (and a few
 * more) exist in the DOM. Row elements are recycled: scrolling through ten thousand rows
 * touches the same thirty elements. The byte view, the field tree and the connection list
 * all stand on this.
 */

export interface VirtualListOptions {
  /** The scrolling element (overflow: auto); rows go into a spacer inside it. */
  scroller: HTMLElement;
  rowHeight: number;
  /** Fills `el` for row `index`. Called when a row comes into view or on `refresh()`. */
  renderRow(el: HTMLElement, index: number): void;
  /** Makes a new (empty) row element. */
  createRow(): HTMLElement;
  /** Rows rendered beyond each edge. */
  overscan?: number;
}

const pendingScrolls = new Set<VirtualList>();

function flushScrolls(): void {
  for (const list of pendingScrolls) list.applyScroll();
  pendingScrolls.clear();
}

export class VirtualList {
  readonly scroller: HTMLElement;
  readonly spacer: HTMLElement;
  readonly rowHeight: number;
  private count = 0;
  private readonly render: (el: HTMLElement, index: number) => void;
  private readonly create: () => HTMLElement;
  private readonly overscan: number;
  /** Rendered rows by index. */
  private readonly live = new Map<number, HTMLElement>();
  private readonly pool: HTMLElement[] = [];
  private frame = 0;
  /** Keeps the view at the bottom as rows are added (a live tail). */
  stickToBottom = false;
  /** Whether reaching the bottom (by scrolling there) starts following again. */
  private followAllowed = false;
  /**
   * The scroll position and the visible height, kept from scroll events and a ResizeObserver:
   * reading them from the DOM after a write would force a layout, and a live stream writes
   * every frame.
   */
  private top = 0;
  private height = 0;
  private readonly resize: ResizeObserver;

  constructor(opts: VirtualListOptions) {
    this.scroller = opts.scroller;
    this.rowHeight = opts.rowHeight;
    this.render = opts.renderRow;
    this.create = opts.createRow;
    this.overscan = opts.overscan ?? 6;
    this.spacer = document.createElement('div');
    this.spacer.className = 'vl-spacer';
    this.spacer.style.position = 'relative';
    this.scroller.append(this.spacer);
    this.scroller.addEventListener(
      'scroll',
      () => {
        const top = this.scroller.scrollTop;
        if (top !== this.top) {
          this.top = top;
          // Scrolling up leaves the live tail; scrolling back down to it follows again.
          this.stickToBottom = this.followAllowed && this.atBottom();
        }
        this.schedule();
      },
      { passive: true },
    );
    this.resize = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.contentRect;
      if (box) this.height = box.height;
      if (this.stickToBottom) this.scrollTo(this.count * this.rowHeight);
      this.schedule();
    });
    this.resize.observe(this.scroller);
  }

  /**
   * Scrolls to `top` px (clamped), remembering it without reading the DOM back. The DOM write
   * waits for the end of the current task (a microtask), so the lists a frame updates cost one
   * layout together, not one each.
   */
  scrollTo(top: number): void {
    const max = Math.max(0, this.count * this.rowHeight - this.height);
    const next = Math.round(Math.min(max, Math.max(0, top)));
    if (next === this.top) return;
    this.top = next;
    if (pendingScrolls.size === 0) queueMicrotask(flushScrolls);
    pendingScrolls.add(this);
  }

  /** Writes the remembered scroll position to the DOM. */
  applyScroll(): void {
    if (this.scroller.scrollTop !== this.top) this.scroller.scrollTop = this.top;
  }

  get length(): number {
    return this.count;
  }

  /** Sets the number of rows; rows already shown are kept (call `refresh` if their content changed). */
  setCount(n: number): void {
    if (n < this.count) {
      for (const [i, el] of this.live) {
        if (i >= n) {
          this.live.delete(i);
          el.remove();
          this.pool.push(el);
        }
      }
    }
    this.count = n;
    this.spacer.style.height = `${n * this.rowHeight}px`;
    if (this.stickToBottom) this.scrollTo(n * this.rowHeight);
    else if (this.top > Math.max(0, n * this.rowHeight - this.height))
      this.top = Math.max(0, n * this.rowHeight - this.height);
    this.update(false);
  }

  /** Follows new rows at the bottom (and goes there now), or stops following. */
  setFollow(on: boolean): void {
    this.followAllowed = on;
    this.stickToBottom = on;
    if (on) this.scrollTo(this.count * this.rowHeight);
  }

  /** The scroll position, as last seen or set. */
  get scrollTop(): number {
    return this.top;
  }

  /** Whether the view shows the last row (within a row). */
  atBottom(): boolean {
    return this.top + this.height >= this.count * this.rowHeight - this.rowHeight;
  }

  /** Re-renders every visible row. */
  refresh(): void {
    this.update(true);
  }

  /**
   * Re-renders every rendered row for which `changed(index)` holds. Rendered, not "in view": the
   * view's height and scroll position are the last ones seen, and while the box is growing (a
   * row was just added) a row the page shows can lie outside them, and would keep stale content.
   */
  refreshRendered(changed: (index: number) => boolean): void {
    for (const [i, el] of this.live) if (changed(i)) this.render(el, i);
  }

  /** The element of row `index` when it is rendered. */
  elementAt(index: number): HTMLElement | undefined {
    return this.live.get(index);
  }

  /** The first and last row indices in view. */
  visibleRange(): [number, number] {
    const first = Math.floor(this.top / this.rowHeight);
    const last = Math.min(this.count - 1, Math.ceil((this.top + this.height) / this.rowHeight) - 1);
    return [first, last];
  }

  /** Scrolls so row `index` is visible: `nearest` moves as little as possible, `center` centres it. */
  scrollToIndex(index: number, align: 'nearest' | 'center' | 'start' = 'nearest'): void {
    const top = index * this.rowHeight;
    const bottom = top + this.rowHeight;
    if (align === 'start') this.scrollTo(top);
    else if (align === 'center') this.scrollTo(top - (this.height - this.rowHeight) / 2);
    else if (top < this.top) this.scrollTo(top);
    else if (bottom > this.top + this.height) this.scrollTo(bottom - this.height);
    this.update(false);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.update(false);
    });
  }

  private update(force: boolean): void {
    const h = this.rowHeight;
    const top = this.top;
    const height = this.height || h * 20;
    const first = Math.max(0, Math.floor(top / h) - this.overscan);
    const last = Math.min(this.count - 1, Math.ceil((top + height) / h) + this.overscan);
    for (const [i, el] of this.live) {
      if (i < first || i > last) {
        this.live.delete(i);
        el.remove();
        this.pool.push(el);
      }
    }
    for (let i = first; i <= last; i++) {
      let el = this.live.get(i);
      const fresh = !el;
      if (!el) {
        el = this.pool.pop() ?? this.create();
        el.style.position = 'absolute';
        el.style.left = '0';
        el.style.right = '0';
        el.style.height = `${h}px`;
        this.live.set(i, el);
        this.spacer.append(el);
      }
      el.style.transform = `translateY(${i * h}px)`;
      if (fresh || force) this.render(el, i);
    }
  }

  /** Removes the rows and stops listening. */
  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    this.spacer.remove();
    this.live.clear();
    this.pool.length = 0;
  }
}
