/**
 * The timeline: one lane per connection — the waterfall column of the connection list, so
 * each lane sits on its connection's row — with one tick per read (client→server, upper half)
 * and per write (server→client, lower half) in the two direction colours. A flush every
 * second, a long poll held for 20 s, a reconnect two seconds after `drop=`: each is a shape
 * you see at a glance. Runs are dashed lines across all lanes; the time axis is in the header.
 *
 * Drawn on a canvas laid over the list's lane column (ticks closer than a pixel are drawn
 * once, so thousands cost little). Zoom with the wheel over the lanes, the buttons, or
 * + − 0 and the arrow keys; drag to pan; click a tick to see its bytes.
 */
import { formatBytes, formatOffsetTime } from './format.ts';
import type { Connection, Mark } from './model.ts';
import type { Dir } from './protocol.ts';
import type { Strings } from './strings.ts';
import { techniqueOf } from './summary.ts';

const MIN_SPAN = 200; // µs
const TECH_VAR: Record<string, string> = {
  http: '--t-basics',
  poll: '--t-polling',
  'long-poll': '--t-polling',
  stream: '--t-comet',
  sse: '--t-sse',
  websocket: '--t-websocket',
};

export interface TimelineEvents {
  /** A lane (and maybe one of its ticks) was clicked. */
  onPick(c: Connection, mark: Mark | undefined): void;
}

export interface TimelineHost {
  /** The root that the canvases are positioned in (position: relative). */
  root: HTMLElement;
  /** The list's scrolling rows; lanes follow its scroll. */
  scroller: HTMLElement;
  /** The header cell above the lane column: holds the axis. */
  headCell: HTMLElement;
  rowHeight: number;
  /** The rows' scroll position, without reading the DOM. */
  scrollTop(): number;
}

type Mode = 'fit' | 'follow' | 'manual';

interface Colors {
  in: string;
  out: string;
  fg: string;
  muted: string;
  border: string;
  sunken: string;
  accent: string;
  danger: string;
  tech: Record<string, string>;
}

export class Timeline {
  private readonly host: TimelineHost;
  private readonly canvas: HTMLCanvasElement;
  private readonly axis: HTMLCanvasElement;
  private readonly tip: HTMLElement;
  private readonly t: Strings;
  private readonly events: TimelineEvents;
  private conns: Connection[] = [];
  private selected: Connection | undefined;
  private runs: readonly number[] = [];
  private filter: 'both' | Dir = 'both';
  private t0 = 0;
  private now = 0;
  /** Visible window, in µs since t0. */
  private viewEnd = 1e6;
  private span = 2e6;
  private mode: Mode = 'fit';
  private colors: Colors | undefined;
  private drag: { x: number; end: number; moved: boolean } | undefined;
  private frame = 0;
  /** Lane column geometry relative to the host root, measured on resize. */
  private lane = { left: 0, width: 0, top: 0, height: 0, head: 0 };
  private readonly resize: ResizeObserver;
  private readonly theme: MutationObserver;

  constructor(host: TimelineHost, t: Strings, events: TimelineEvents) {
    this.host = host;
    this.t = t;
    this.events = events;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'tl-canvas';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.axis = document.createElement('canvas');
    this.axis.className = 'tl-axis';
    this.axis.setAttribute('aria-hidden', 'true');
    this.tip = document.createElement('div');
    this.tip.className = 'tl-tip';
    this.tip.hidden = true;
    host.root.append(this.canvas, this.tip);
    host.headCell.append(this.axis);

    const s = host.scroller;
    s.addEventListener('scroll', () => this.schedule(), { passive: true });
    s.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    s.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || !this.overLanes(e)) return;
      this.drag = { x: e.clientX, end: this.viewEnd, moved: false };
    });
    s.addEventListener('pointermove', (e) => this.pointerMove(e));
    s.addEventListener(
      'click',
      (e) => {
        const d = this.drag;
        this.drag = undefined;
        if (d?.moved) {
          e.stopPropagation(); // a pan is not a click on a row
          return;
        }
        if (this.overLanes(e)) this.click(e);
      },
      true,
    );
    s.addEventListener('pointerleave', () => {
      this.tip.hidden = true;
    });
    this.resize = new ResizeObserver(() => this.measure());
    this.resize.observe(host.headCell);
    this.resize.observe(host.scroller);
    this.theme = new MutationObserver(() => {
      this.colors = undefined;
      this.schedule();
    });
    this.theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  }

  /**
   * Layout pixels per screen pixel: under CSS zoom (projector mode) rectangles and pointer
   * positions are in zoomed pixels, while styles and the canvas are laid out in unzoomed ones.
   */
  private unzoom(): number {
    const shown = this.host.root.getBoundingClientRect().width;
    return shown > 0 ? this.host.root.offsetWidth / shown : 1;
  }

  private measure(): void {
    const root = this.host.root.getBoundingClientRect();
    const head = this.host.headCell.getBoundingClientRect();
    const sc = this.host.scroller.getBoundingClientRect();
    const k = this.unzoom();
    this.lane = {
      left: (head.left - root.left) * k,
      width: head.width * k,
      top: (sc.top - root.top) * k,
      height: this.host.scroller.clientHeight,
      head: this.host.headCell.clientHeight,
    };
    this.canvas.style.left = `${this.lane.left}px`;
    this.canvas.style.top = `${this.lane.top}px`;
    this.schedule();
  }

  setConnections(list: Connection[]): void {
    this.conns = list;
    this.schedule();
  }

  setSelected(c: Connection | undefined): void {
    this.selected = c;
    this.schedule();
  }

  setFilter(f: 'both' | Dir): void {
    this.filter = f;
    this.schedule();
  }

  /** The capture's zero, the current capture time, and the Run marks (all capture µs). */
  setTimes(t0: number, now: number, runs: readonly number[]): void {
    this.t0 = t0;
    this.now = Math.max(now, t0);
    this.runs = runs;
    const total = this.now - this.t0;
    if (this.mode === 'fit') {
      this.span = Math.max(total * 1.04, 1e6);
      this.viewEnd = this.span;
    } else if (this.mode === 'follow') {
      this.viewEnd = Math.max(total + this.span * 0.02, this.span);
    }
    this.schedule();
  }

  /** Zooms by `factor` (0.5: twice as close) around `anchorFrac` of the width (default: the right edge when following). */
  zoomBy(factor: number, anchorFrac?: number): void {
    const total = this.now - this.t0;
    const next = Math.min(Math.max(this.span * factor, MIN_SPAN), Math.max(total * 4, 60e6));
    const frac = anchorFrac ?? (this.mode === 'manual' ? 0.5 : 1);
    const anchor = this.viewEnd - this.span * (1 - frac);
    this.viewEnd = anchor + next * (1 - frac);
    this.span = next;
    if (this.mode === 'fit') this.mode = frac > 0.98 ? 'follow' : 'manual';
    this.schedule();
  }

  /** Shows the whole capture, and keeps doing so as it grows. */
  fit(): void {
    this.mode = 'fit';
    this.setTimes(this.t0, this.now, this.runs);
  }

  /** Pans by a fraction of the visible span (negative: back in time). */
  pan(fraction: number): void {
    this.viewEnd += this.span * fraction;
    this.mode = this.viewEnd >= this.now - this.t0 ? 'follow' : 'manual';
    this.schedule();
  }

  /** Follows the newest records with the current zoom. */
  follow(): void {
    this.mode = 'follow';
    this.setTimes(this.t0, this.now, this.runs);
  }

  /** Keys for the timeline, given by whoever has focus (+ − 0 ← → End); returns whether it used the key. */
  handleKey(e: KeyboardEvent): boolean {
    switch (e.key) {
      case '+':
      case '=':
        this.zoomBy(0.5);
        return true;
      case '-':
      case '_':
        this.zoomBy(2);
        return true;
      case '0':
        this.fit();
        return true;
      case 'ArrowLeft':
        this.pan(-0.2);
        return true;
      case 'ArrowRight':
        this.pan(0.2);
        return true;
      case 'End':
        this.follow();
        return true;
      default:
        return false;
    }
  }

  private overLanes(e: MouseEvent): boolean {
    const r = this.canvas.getBoundingClientRect();
    return e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
  }

  private wheel(e: WheelEvent): void {
    if (!this.overLanes(e) || e.ctrlKey) return; // elsewhere the wheel scrolls the list
    const horizontal = Math.abs(e.deltaX) > Math.abs(e.deltaY) || e.shiftKey;
    e.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    if (horizontal) {
      this.pan(((e.shiftKey ? e.deltaY : e.deltaX) / Math.max(1, rect.width)) * 1.5);
      return;
    }
    const frac = Math.min(1, Math.max(0, (e.clientX - rect.left) / Math.max(1, rect.width)));
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    this.zoomBy(Math.exp((e.deltaY * unit) / 400), frac);
  }

  private xOf(tRel: number): number {
    const start = this.viewEnd - this.span;
    return ((tRel - start) / this.span) * this.lane.width;
  }

  /** The connection and mark under a pointer over the lanes. */
  private hit(e: MouseEvent): { c: Connection; mark: Mark | undefined } | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const rh = this.host.rowHeight;
    const k = this.unzoom();
    const y = (e.clientY - rect.top) * k + this.host.scrollTop();
    const row = Math.floor(y / rh);
    const c = this.conns[row];
    if (!c) return undefined;
    const x = (e.clientX - rect.left) * k;
    const inLane = y - row * rh;
    const want: Dir = this.filter !== 'both' ? this.filter : inLane < rh / 2 ? 'in' : 'out';
    let best: Mark | undefined;
    let bestDx = 6;
    for (const m of this.marksInView(c)) {
      if (m.dir !== want) continue;
      const dx = Math.abs(this.xOf(m.t - this.t0) - x);
      if (dx < bestDx) {
        best = m;
        bestDx = dx;
      }
    }
    return { c, mark: best };
  }

  private *marksInView(c: Connection): Iterable<Mark> {
    const slack = (this.span * 4) / Math.max(1, this.lane.width);
    const start = this.t0 + this.viewEnd - this.span - slack;
    const end = this.t0 + this.viewEnd + slack;
    const marks = c.marks;
    let lo = 0;
    let hi = marks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid]!.t < start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < marks.length && marks[i]!.t <= end; i++) yield marks[i]!;
  }

  private pointerMove(e: PointerEvent): void {
    if (this.drag && e.buttons & 1) {
      const dx = (e.clientX - this.drag.x) * this.unzoom();
      if (Math.abs(dx) > 3) this.drag.moved = true;
      if (this.drag.moved) {
        this.viewEnd = this.drag.end - (dx / Math.max(1, this.lane.width)) * this.span;
        this.mode = 'manual';
        this.tip.hidden = true;
        this.schedule();
      }
      return;
    }
    const h = this.overLanes(e) ? this.hit(e) : undefined;
    if (!h?.mark) {
      this.tip.hidden = true;
      return;
    }
    const m = h.mark;
    const dir = m.dir === 'in' ? this.t('inspector.dir.in') : this.t('inspector.dir.out');
    this.tip.textContent = `#${h.c.index} ${dir} · ${formatBytes(m.len)} · ${formatOffsetTime(m.t - this.t0)}`;
    this.tip.dataset.dir = m.dir;
    const rootRect = this.host.root.getBoundingClientRect();
    const k = this.unzoom();
    this.tip.hidden = false;
    const x = Math.min((e.clientX - rootRect.left) * k + 12, rootRect.width * k - this.tip.offsetWidth - 4);
    this.tip.style.transform = `translate(${Math.max(4, x)}px, ${(e.clientY - rootRect.top) * k + 16}px)`;
  }

  private click(e: MouseEvent): void {
    const h = this.hit(e);
    if (h?.mark) {
      e.stopPropagation();
      this.events.onPick(h.c, h.mark);
    }
  }

  /** Draws at the next animation frame. */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private readColors(): Colors {
    const cs = getComputedStyle(this.host.root);
    const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
    const tech: Record<string, string> = {};
    for (const [k, name] of Object.entries(TECH_VAR)) tech[k] = v(name, '#888');
    return {
      in: v('--dir-in', '#1f6feb'),
      out: v('--dir-out', '#c2410c'),
      fg: v('--fg', '#16181d'),
      muted: v('--fg-muted', '#5a6272'),
      border: v('--border', '#dde1e8'),
      sunken: v('--bg-sunken', '#f1f3f7'),
      accent: v('--accent', '#2456d6'),
      danger: v('--insp-danger', '#d92d20'),
      tech,
    };
  }

  /** Sizes a canvas for the device pixel ratio; returns its context, scaled to CSS pixels. */
  private prepare(cv: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
    // Drawn zoomed on a projector: as many canvas pixels as the screen shows, so lines stay sharp.
    const dpr = (window.devicePixelRatio || 1) / this.unzoom();
    if (cv.width !== Math.round(width * dpr) || cv.height !== Math.round(height * dpr)) {
      cv.width = Math.round(width * dpr);
      cv.height = Math.round(height * dpr);
      cv.style.width = `${width}px`;
      cv.style.height = `${height}px`;
    }
    const ctx = cv.getContext('2d');
    if (!ctx) return null;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px ui-monospace, "DejaVu Sans Mono", monospace';
    ctx.textBaseline = 'middle';
    return ctx;
  }

  private draw(): void {
    const { width, height } = this.lane;
    if (width < 8 || height < 8) return;
    this.colors ??= this.readColors();
    const col = this.colors;
    const ctx = this.prepare(this.canvas, width, height);
    if (!ctx) return;
    const rh = this.host.rowHeight;
    const scrollTop = this.host.scrollTop();
    const first = Math.floor(scrollTop / rh);
    const last = Math.min(this.conns.length - 1, Math.ceil((scrollTop + height) / rh));
    for (let i = Math.max(0, first); i <= last; i++) {
      const c = this.conns[i];
      if (c) this.drawLane(ctx, c, i * rh - scrollTop, width, rh, col);
    }
    // Run boundaries across every lane.
    ctx.save();
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = col.accent;
    ctx.lineWidth = 1;
    ctx.fillStyle = col.accent;
    this.runs.forEach((r, k) => {
      const x = Math.round(this.xOf(r - this.t0)) + 0.5;
      if (x < 0 || x > width) return;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, height);
      ctx.stroke();
      ctx.fillText(this.t('inspector.timeline.run', { n: k + 1 }), x + 4, height - 8);
    });
    ctx.restore();
    this.drawAxis(col);
  }

  private drawLane(
    ctx: CanvasRenderingContext2D,
    c: Connection,
    y: number,
    width: number,
    rh: number,
    col: Colors,
  ): void {
    const mid = y + rh / 2;
    const tech = techniqueOf(c);
    const techColor = tech ? (col.tech[tech] ?? col.border) : col.border;
    // Lifetime: open to close (or to now, while open).
    const x0 = this.xOf((c.openT ?? c.firstT) - this.t0);
    const x1 = this.xOf((c.closed?.t ?? this.now) - this.t0);
    ctx.strokeStyle = techColor;
    ctx.globalAlpha = c === this.selected ? 0.7 : 0.4;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(Math.max(0, x0), mid);
    ctx.lineTo(Math.min(width, Math.max(x0 + 1, x1)), mid);
    ctx.stroke();
    ctx.globalAlpha = 1;

    // Reads above the line, writes below; one tick per pixel column per direction.
    const h = Math.max(4, rh / 2 - 5);
    let lastIn = Number.NaN;
    let lastOut = Number.NaN;
    for (const m of this.marksInView(c)) {
      if (this.filter !== 'both' && m.dir !== this.filter) continue;
      const x = Math.round(this.xOf(m.t - this.t0));
      if (m.dir === 'in') {
        if (x === lastIn) continue;
        lastIn = x;
        ctx.fillStyle = col.in;
        ctx.fillRect(x - 1, mid - 1 - h, 2, h);
      } else {
        if (x === lastOut) continue;
        lastOut = x;
        ctx.fillStyle = col.out;
        ctx.fillRect(x - 1, mid + 1, 2, h);
      }
    }
    // How it ended, as TCP did it: each side's FIN a flagged bar on its own half at its own time
    // (the client's above the middle, the server's below), so which came first shows; an RST a
    // cross on the half of the side that sent it.
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = col.muted;
    for (const dir of ['in', 'out'] as const) {
      const t = c.fin[dir];
      if (t === undefined || (this.filter !== 'both' && dir !== this.filter)) continue;
      const x = Math.round(this.xOf(t - this.t0)) + 0.5;
      const tip = dir === 'in' ? mid - h : mid + h;
      ctx.beginPath();
      ctx.moveTo(x, mid);
      ctx.lineTo(x, tip);
      ctx.lineTo(x + 4, tip);
      ctx.stroke();
    }
    if (c.closed?.how === 'reset') {
      const x = Math.round(x1);
      const y = c.closed.by === 'client' ? mid - h / 2 : mid + h / 2;
      ctx.strokeStyle = col.danger;
      ctx.beginPath();
      ctx.moveTo(x - 3, y - 3);
      ctx.lineTo(x + 3, y + 3);
      ctx.moveTo(x + 3, y - 3);
      ctx.lineTo(x - 3, y + 3);
      ctx.stroke();
    }
  }

  private drawAxis(col: Colors): void {
    const width = this.lane.width;
    const height = this.lane.head;
    const ctx = this.prepare(this.axis, width, height);
    if (!ctx) return;
    const start = this.viewEnd - this.span;
    const step = niceStep((64 / Math.max(1, width)) * this.span);
    ctx.fillStyle = col.muted;
    ctx.strokeStyle = col.border;
    ctx.lineWidth = 1;
    for (let tick = Math.ceil(start / step) * step; tick <= this.viewEnd; tick += step) {
      const x = Math.round(this.xOf(tick)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, height - 5);
      ctx.lineTo(x, height);
      ctx.stroke();
      if (x + 40 < width) ctx.fillText(axisLabel(tick, step), x + 3, height / 2);
    }
    ctx.fillStyle = col.accent;
    for (const r of this.runs) {
      const x = Math.round(this.xOf(r - this.t0));
      if (x < 0 || x > width) continue;
      ctx.beginPath();
      ctx.moveTo(x - 4, height - 6);
      ctx.lineTo(x + 4, height - 6);
      ctx.lineTo(x, height);
      ctx.fill();
    }
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    this.theme.disconnect();
    this.canvas.remove();
    this.axis.remove();
    this.tip.remove();
  }
}

/** A step of 1, 2 or 5 × 10ⁿ µs at least `min` µs. */
function niceStep(min: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(min, 1)));
  for (const m of [1, 2, 5, 10]) if (m * p >= min) return m * p;
  return 10 * p;
}

function axisLabel(us: number, step: number): string {
  if (step >= 1e6) return `${Math.round(us / 1e6)} s`;
  if (step >= 1e3) return `${(us / 1e6).toFixed(step >= 1e5 ? 1 : step >= 1e4 ? 2 : 3)} s`;
  return `${(us / 1e3).toFixed(step >= 100 ? 1 : 2)} ms`;
}
