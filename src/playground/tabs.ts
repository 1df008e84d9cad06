/**
 * Tabs (WAI-ARIA "tabs" pattern, automatic activation): one tab in the tab order, ←/→ move
 * between tabs, Home/End go to the ends. Panels are shown by the caller, which may show more
 * than one (the Preview tab shows the console below the preview).
 */

/** Wires a `role="tablist"`; returns a function that selects a tab by its `data-tab`. */
export function attachTabs(tablist: HTMLElement, onSelect: (name: string) => void): (name: string) => void {
  const tabs = () =>
    Array.from(tablist.querySelectorAll<HTMLElement>('[role="tab"]')).filter((t) => !t.hidden);
  const select = (name: string, focus = false) => {
    for (const tab of tabs()) {
      const on = tab.dataset.tab === name;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      if (on && focus) tab.focus();
    }
    onSelect(name);
  };
  tablist.addEventListener('click', (event) => {
    const tab = (event.target as HTMLElement).closest<HTMLElement>('[role="tab"]');
    if (tab?.dataset.tab) select(tab.dataset.tab);
  });
  tablist.addEventListener('keydown', (event) => {
    const list = tabs();
    const index = list.indexOf(document.activeElement as HTMLElement);
    if (index === -1) return;
    let next = -1;
    if (event.key === 'ArrowRight') next = (index + 1) % list.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + list.length) % list.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = list.length - 1;
    if (next === -1) return;
    event.preventDefault();
    const name = list[next]?.dataset.tab;
    if (name) select(name, true);
  });
  return (name) => select(name);
}
