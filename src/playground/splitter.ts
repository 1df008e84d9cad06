/**
 * A draggable splitter between two stacked panes (WAI-ARIA "window splitter" pattern):
 * `role="separator"`, focusable, its position in `aria-valuenow` (percent of the first pane),
 * moved by pointer or by keyboard (↑/↓ by 5 %, Page Up/Down by 20 %, Home/End to the bounds).
 */

export interface SplitterOptions {
  /** The element whose height is shared between the two panes. */
  container: HTMLElement;
  /** Called with the first pane's share, in percent, whenever it changes. */
  apply(percent: number): void;
  initial: number;
  min?: number;
  max?: number;
  /** `localStorage` key that remembers the position; none when omitted. */
  storageKey?: string;
}

/** Wires `handle` up; returns a function that sets the position from code. */
export function attachSplitter(handle: HTMLElement, options: SplitterOptions): (percent: number) => void {
  const { container, apply, min = 15, max = 85, storageKey } = options;
  let value = options.initial;
  if (storageKey) {
    try {
      const saved = Number(localStorage.getItem(storageKey));
      if (saved >= min && saved <= max) value = saved;
    } catch {
      // No storage: start from the default.
    }
  }

  const set = (percent: number, remember = false) => {
    value = Math.round(Math.min(max, Math.max(min, percent)) * 10) / 10;
    handle.setAttribute('aria-valuenow', String(Math.round(value)));
    apply(value);
    if (remember && storageKey) {
      try {
        localStorage.setItem(storageKey, String(value));
      } catch {
        // Not remembered; it still moved.
      }
    }
  };

  handle.setAttribute('role', 'separator');
  handle.setAttribute('aria-orientation', 'horizontal');
  handle.setAttribute('aria-valuemin', String(min));
  handle.setAttribute('aria-valuemax', String(max));
  handle.tabIndex = 0;

  handle.addEventListener('keydown', (event) => {
    const steps: Record<string, number> = { ArrowUp: -5, ArrowDown: 5, PageUp: -20, PageDown: 20 };
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
    const move = (e: PointerEvent) => set(((e.clientY - rect.top) / rect.height) * 100);
    const end = () => {
      handle.removeEventListener('pointermove', move);
      document.documentElement.classList.remove('wl-dragging');
      set(value, true);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end, { once: true });
    handle.addEventListener('pointercancel', end, { once: true });
  });

  set(value);
  return (percent) => set(percent);
}
