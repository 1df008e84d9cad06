/**
 * Projector mode: `data-projector` on `<html>` (styles in `src/styles/projector.css`): large type,
 * the playground and inspector full screen, a plain high-contrast theme. On with the header's
 * button or `?projector=1`; kept for the tab (sessionStorage), so "bring everyone to lesson N"
 * and the next lesson stay on the projector. The head script in BaseLayout applies it before the
 * first paint.
 */

const KEY = 'wl-projector';

/** Wires the header's projector button (`ProjectorToggle.astro`). */
export function initProjectorToggle(): void {
  const root = document.documentElement;
  const onLesson = document.querySelector('.lesson-page') !== null;
  for (const button of document.querySelectorAll<HTMLButtonElement>('.projector-toggle')) {
    const label = button.querySelector('span')!;
    const sync = () => {
      const on = root.hasAttribute('data-projector');
      button.setAttribute('aria-pressed', String(on));
      label.textContent = on ? (button.dataset.off ?? '') : (button.dataset.on ?? '');
      // A lesson page offers it; elsewhere the button is there only to turn it off.
      button.hidden = !onLesson && !on;
    };
    button.addEventListener('click', () => {
      const on = !root.hasAttribute('data-projector');
      root.toggleAttribute('data-projector', on);
      try {
        sessionStorage.setItem(KEY, on ? '1' : '0');
      } catch {
        // no storage: it lasts for this page
      }
      const url = new URL(location.href);
      if (url.searchParams.has('projector')) {
        url.searchParams.delete('projector');
        history.replaceState(history.state, '', url);
      }
      sync();
      // Layouts that measure themselves (the editor, the inspector's lists) re-measure on resize.
      window.dispatchEvent(new Event('resize'));
    });
    sync();
  }
}
