/**
 * The panel's markup: toolbar, empty state, connection list host, splitter, detail (head,
 * tree, bytes, info line) and status line, built once. panel.ts wires it up.
 */
import type { Strings } from './strings.ts';

export const ICONS = {
  pause:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><rect x="4" y="3" width="3" height="10" rx="1"/><rect x="9" y="3" width="3" height="10" rx="1"/></svg>',
  play: '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M5 3.2v9.6a.6.6 0 0 0 .9.5l7.4-4.8a.6.6 0 0 0 0-1L5.9 2.7a.6.6 0 0 0-.9.5z"/></svg>',
  clear:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><circle class="s" cx="8" cy="8" r="5.5"/><path class="s" d="M4.2 11.8l7.6-7.6"/></svg>',
  expand:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><path class="s" d="M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10"/></svg>',
  collapse:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><path class="s" d="M6 2.5V6H2.5M13.5 6H10V2.5M10 13.5V10h3.5M2.5 10H6v3.5"/></svg>',
  lost: '<svg viewBox="0 0 16 16" aria-hidden="true"><path class="s" d="M8 1.8 14.6 13.6H1.4z"/><path class="s" d="M8 6.2v3.6"/><circle cx="8" cy="11.8" r=".9"/></svg>',
  download:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><path class="s" d="M8 2.5v8M4.8 7.6L8 10.8l3.2-3.2M3 13.5h10"/></svg>',
};

export function label(text: string): HTMLSpanElement {
  const s = document.createElement('span');
  s.className = 'insp-btn-label';
  s.textContent = text;
  return s;
}

export interface Dom {
  root: HTMLElement;
  top: HTMLElement;
  main: HTMLElement;
  listHost: HTMLElement;
  treeHost: HTMLElement;
  bytesHost: HTMLElement;
  splitter: HTMLElement;
  empty: HTMLElement;
  emptyTitle: HTMLElement;
  emptyBody: HTMLElement;
  pause: HTMLButtonElement;
  clear: HTMLButtonElement;
  autoClear: HTMLInputElement;
  filter: HTMLInputElement;
  dirButtons: HTMLButtonElement[];
  zoomIn: HTMLButtonElement;
  zoomOut: HTMLButtonElement;
  zoomFit: HTMLButtonElement;
  lanesKeys: HTMLElement;
  exportMenu: HTMLDetailsElement;
  exportHar: HTMLButtonElement;
  exportPcap: HTMLButtonElement;
  expand: HTMLButtonElement;
  state: HTMLElement;
  stateText: HTMLElement;
  totals: HTMLElement;
  dropped: HTMLElement;
  backlog: HTMLElement;
  /** The notice that the records before a reconnect are lost, and why (kept until Clear or Run). */
  lost: HTMLElement;
  lostTitle: HTMLElement;
  lostBody: HTMLElement;
  flash: HTMLElement;
  live: HTMLElement;
  toast: HTMLElement;
  detailHead: HTMLElement;
  detailTitle: HTMLElement;
  notes: HTMLElement;
  copyHex: HTMLButtonElement;
  copyText: HTMLButtonElement;
  info: HTMLElement;
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(cls: string, text: string, title?: string, icon?: string): HTMLButtonElement {
  const b = h('button', `tool-btn insp-btn ${cls}`);
  b.type = 'button';
  if (icon) b.innerHTML = icon;
  if (icon && title) {
    b.title = title;
    b.setAttribute('aria-label', title);
    if (text) b.append(label(text));
  } else {
    b.textContent = text;
    if (title) b.title = title;
  }
  return b;
}

export function buildDom(t: Strings): Dom {
  const root = h('section', 'insp');
  root.setAttribute('aria-label', t('inspector.title'));

  // Toolbar
  const bar = h('div', 'insp-toolbar');
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', t('inspector.toolbar'));
  const pause = button('insp-pause', t('inspector.pause'), t('inspector.pause.long'), ICONS.pause);
  pause.setAttribute('aria-pressed', 'false');
  const clear = button('insp-clear icon', '', t('inspector.clear.long'), ICONS.clear);
  const autoWrap = h('label', 'insp-check');
  const autoClear = h('input', '');
  autoClear.type = 'checkbox';
  autoWrap.append(autoClear, h('span', '', t('inspector.autoClear')));
  autoWrap.title = t('inspector.autoClear.long');
  const filter = h('input', 'insp-filter');
  filter.type = 'search';
  filter.placeholder = t('inspector.filter');
  filter.setAttribute('aria-label', t('inspector.filter.long'));
  const dirs = h('div', 'insp-seg');
  dirs.setAttribute('role', 'group');
  dirs.setAttribute('aria-label', t('inspector.dirFilter'));
  const dirButtons = (
    [
      ['both', '⇄', t('inspector.dir.both')],
      ['in', '→', t('inspector.dir.in')],
      ['out', '←', t('inspector.dir.out')],
    ] as const
  ).map(([dir, glyph, name]) => {
    const b = button(`dir-${dir}`, glyph, name);
    b.dataset.dir = dir;
    b.setAttribute('aria-label', name);
    b.setAttribute('aria-pressed', String(dir === 'both'));
    return b;
  });
  dirs.append(...dirButtons);
  const exportMenu = h('details', 'insp-menu');
  const summary = h('summary', 'tool-btn insp-btn');
  summary.innerHTML = ICONS.download;
  summary.append(label(t('inspector.export')));
  summary.title = t('inspector.export.long');
  const menu = h('div', 'insp-menu-list');
  const exportHar = button('', t('inspector.export.har'));
  const exportPcap = button('', t('inspector.export.pcap'));
  menu.append(exportHar, exportPcap);
  exportMenu.append(summary, menu);
  const expand = button('insp-expand icon', '', t('inspector.expand'), ICONS.expand);
  expand.setAttribute('aria-pressed', 'false');
  const state = h('span', 'insp-state');
  state.setAttribute('aria-hidden', 'true');
  const dot = h('i', 'insp-dot');
  const stateText = h('span', 'insp-state-text');
  state.append(dot, stateText);
  bar.append(pause, clear, autoWrap, filter, dirs, h('span', 'insp-grow'), state, exportMenu, expand);

  // Flash line (reconnecting…, reconnected) and the screen-reader live region.
  const flash = h('div', 'insp-flash');
  flash.hidden = true;
  flash.setAttribute('aria-hidden', 'true');
  const live = h('div', 'visually-hidden');
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');

  // The records-lost notice: not a flash, it stays until the learner clears or runs again.
  const lost = h('div', 'insp-lost');
  lost.hidden = true;
  const lostIcon = h('span', 'insp-lost-icon');
  lostIcon.innerHTML = ICONS.lost;
  const lostText = h('p', 'insp-lost-text');
  const lostTitle = h('strong', 'insp-lost-title');
  const lostBody = h('span', 'insp-lost-body');
  lostText.append(lostTitle, ' ', lostBody);
  lost.append(lostIcon, lostText);

  // Empty state
  const empty = h('div', 'insp-empty');
  const art = h('div', 'insp-empty-art');
  art.setAttribute('aria-hidden', 'true');
  art.innerHTML =
    '<span class="a-in">GET /lab/… HTTP/1.1<i>CR</i><i>LF</i></span><span class="a-out">HTTP/1.1 200 OK<i>CR</i><i>LF</i></span><span class="a-out">data: {"price":101.25}<i>LF</i><i>LF</i></span>';
  const emptyTitle = h('h3', 'insp-empty-title');
  const emptyBody = h('p', 'insp-empty-body');
  empty.append(art, emptyTitle, emptyBody);

  // Main: connections + lanes, splitter, detail
  const main = h('div', 'insp-main');
  const top = h('div', 'insp-top');
  const listHost = h('div', 'insp-list');
  const zoom = h('div', 'insp-zoom');
  zoom.setAttribute('role', 'group');
  zoom.setAttribute('aria-label', t('inspector.timeline.title'));
  const zoomOut = button('small', '−', t('inspector.timeline.zoomOut'));
  const zoomIn = button('small', '+', t('inspector.timeline.zoomIn'));
  const zoomFit = button('small', t('inspector.timeline.fit'), t('inspector.timeline.fit.long'));
  zoom.append(zoomOut, zoomIn, zoomFit);
  const lanesKeys = zoom;
  lanesKeys.title = t('inspector.timeline.keys');
  top.append(listHost, zoom);
  const splitter = h('div', 'insp-splitter splitter-bar');
  splitter.setAttribute('role', 'separator');
  splitter.setAttribute('aria-orientation', 'horizontal');
  splitter.setAttribute('aria-label', t('inspector.splitter'));
  splitter.setAttribute('aria-valuemin', '15');
  splitter.setAttribute('aria-valuemax', '80');
  splitter.tabIndex = 0;

  const detail = h('div', 'insp-detail');
  const detailHead = h('div', 'insp-dhead');
  const detailTitle = h('div', 'insp-dtitle');
  const copyHex = button('small', t('inspector.copy.hex'), t('inspector.copy.hex.long'));
  const copyTextBtn = button('small', t('inspector.copy.text'), t('inspector.copy.text.long'));
  const copies = h('div', 'insp-copy');
  copies.append(copyHex, copyTextBtn);
  detailHead.append(detailTitle, copies);
  const notes = h('div', 'insp-notes');
  notes.hidden = true;
  const split = h('div', 'insp-split');
  const treeHost = h('div', 'insp-tree');
  const bytesHost = h('div', 'insp-bytes');
  split.append(treeHost, bytesHost);
  const info = h('div', 'insp-info');
  info.setAttribute('aria-live', 'off');
  detail.append(detailHead, notes, split, info);
  main.append(top, splitter, detail);

  // Status line
  const status = h('div', 'insp-statusbar');
  const totals = h('span', 'insp-totals');
  const dropped = h('span', 'insp-dropped');
  dropped.hidden = true;
  const backlog = h('span', 'insp-backlog');
  backlog.hidden = true;
  const legend = h('span', 'insp-legend');
  legend.append(
    h('i', 'sw in'),
    h('span', '', t('inspector.dir.in')),
    h('i', 'sw out'),
    h('span', '', t('inspector.dir.out')),
  );
  status.append(totals, backlog, dropped, h('span', 'insp-grow'), legend);
  const toast = h('div', 'insp-toast');
  toast.hidden = true;

  root.append(bar, flash, lost, empty, main, status, toast, live);
  return {
    root,
    top,
    main,
    listHost,
    treeHost,
    bytesHost,
    splitter,
    empty,
    emptyTitle,
    emptyBody,
    pause,
    clear,
    autoClear,
    filter,
    dirButtons,
    zoomIn,
    zoomOut,
    zoomFit,
    lanesKeys,
    exportMenu,
    exportHar,
    exportPcap,
    expand,
    state,
    stateText,
    totals,
    dropped,
    backlog,
    lost,
    lostTitle,
    lostBody,
    flash,
    live,
    toast,
    detailHead,
    detailTitle,
    notes,
    copyHex,
    copyText: copyTextBtn,
    info,
  };
}
