/**
 * A draggable splitter between two panes (WAI-ARIA "window splitter" pattern):
 * `role="separator"`, focusable, its position in `aria-valuenow` (percent of the first pane),
 * moved by pointer or by keyboard (arrows by 5 %, Page Up/Down by 20 %, Home/End to the bounds).
 *
 * The panes are stacked (the bar is wider than tall) or side by side (taller than wide, as in
 * the projector's wide layout); the splitter reads which from the bar's own shape.
 */

export interface SplitterOptions {
  /** The element whose height (or width) is shared between the two panes. */
  container: HTMLElement;
  /** Called with the first pane's share, in percent, whenever it changes. */
  apply(percent: number): void;
  /** The share to start from; a function when it depends on the layout (read again by `restore`). */
  initial: number | (() => number);
  min?: number;
  max?: number;
  /** `localStorage` key that remembers the position (per layout, when a function); none when omitted. */
  storageKey?: string | (() => string);
}

export interface Splitter {
  /** Sets the position from code. */
  set(percent: number): void;
  /** Goes back to the remembered (or initial) position of the current layout. */
  restore(): void;
}

/** Wires `handle` up. */
export function attachSplitter(handle: HTMLElement, options: SplitterOptions): Splitter {
  const { container, apply, min = 15, max = 85 } = options;
  const key = () => (typeof options.storageKey === 'function' ? options.storageKey() : options.storageKey);
  const initial = () => (typeof options.initial === 'function' ? options.initial() : options.initial);
  /** Side by side: the bar is a column. */
  const across = () => handle.offsetHeight > handle.offsetWidth;
  let value = initial();

  const set = (percent: number, remember = false) => {
    value = Math.round(Math.min(max, Math.max(min, percent)) * 10) / 10;
    handle.setAttribute('aria-valuenow', String(Math.round(value)));
    handle.setAttribute('aria-orientation', across() ? 'vertical' : 'horizontal');
    apply(value);
    const storageKey = key();
    if (remember && storageKey) {
      try {
        localStorage.setItem(storageKey, String(value));
      } catch {
        // Not remembered; it still moved.
      }
    }
  };

  const restore = () => {
    let start = initial();
    const storageKey = key();
    if (storageKey) {
      try {
        const saved = Number(localStorage.getItem(storageKey));
        if (saved >= min && saved <= max) start = saved;
      } catch {
        // No storage: start from the default.
      }
    }
    set(start);
  };

  handle.setAttribute('role', 'separator');
  handle.setAttribute('aria-valuemin', String(min));
  handle.setAttribute('aria-valuemax', String(max));
  handle.tabIndex = 0;

  handle.addEventListener('keydown', (event) => {
    const steps: Record<string, number> = {
      ArrowUp: -5,
      ArrowDown: 5,
      ArrowLeft: -5,
      ArrowRight: 5,
      PageUp: -20,
      PageDown: 20,
    };
    if (event.key in steps) set(value + (steps[event.key] ?? 0), true);
    else if (event.key === 'Home') set(min, true);
    else if (event.key === 'End') set(max, true);
    else return;
    event.preventDefault();
  });

  handle.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    // Frames below would swallow the pointer while it crosses them.
    document.documentElement.classList.add('wl-dragging');
    const rect = container.getBoundingClientRect();
    const sideways = across();
    const move = (e: PointerEvent) =>
      set(
        sideways
          ? ((e.clientX - rect.left) / rect.width) * 100
          : ((e.clientY - rect.top) / rect.height) * 100,
      );
    const end = () => {
      handle.removeEventListener('pointermove', move);
      document.documentElement.classList.remove('wl-dragging');
      set(value, true);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end, { once: true });
    handle.addEventListener('pointercancel', end, { once: true });
  });

  restore();
  return { set: (percent) => set(percent), restore };
}
