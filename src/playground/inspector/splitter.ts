/** The bar between the connection list and the details: dragged, or moved with ↑ ↓. */

/** A keyboard- and pointer-draggable bar that sets how much of `box` the top part takes. */
export function attachSplitter(bar: HTMLElement, box: HTMLElement): void {
  // Until the reader drags it, the stylesheet decides (a smaller share when the panel is short).
  let pct = 42;
  const apply = () => {
    box.style.setProperty('--insp-top', `${pct}%`);
    bar.setAttribute('aria-valuenow', String(Math.round(pct)));
  };
  bar.setAttribute('aria-valuenow', String(pct));
  bar.addEventListener('pointerdown', (e) => {
    bar.setPointerCapture(e.pointerId);
    pct = (box.firstElementChild!.getBoundingClientRect().height / box.getBoundingClientRect().height) * 100;
    const move = (ev: PointerEvent) => {
      const r = box.getBoundingClientRect();
      pct = Math.min(80, Math.max(15, ((ev.clientY - r.top) / r.height) * 100));
      apply();
    };
    const up = () => {
      bar.removeEventListener('pointermove', move);
      bar.removeEventListener('pointerup', up);
    };
    bar.addEventListener('pointermove', move);
    bar.addEventListener('pointerup', up);
  });
  bar.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowUp') pct = Math.max(15, pct - 5);
    else if (e.key === 'ArrowDown') pct = Math.min(80, pct + 5);
    else return;
    e.preventDefault();
    apply();
  });
}
