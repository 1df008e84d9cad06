/**
 * The inspector panel: the connection list with its timeline lanes on top; the selected
 * connection's decoded tree and bytes below; a toolbar (pause, clear, filter, direction,
 * export, expand) and a status line. It listens to the inspector channel, folds records into
 * the model as they arrive, and renders at most once per animation frame — so a stream of
 * thousands of records a second costs the page one render per frame, not one per record.
 */
import type { Field, Range } from '../../wire/bytes.ts';
import { ConnectionDissector } from '../../wire/connection.ts';
import type { Lang } from '../../i18n/index.ts';
import { ByteView, type ByteSelection, type DirFilter } from './byte-view.ts';
import type { Channel, ChannelState, openChannel } from './channel.ts';
import { shareChannel } from './shared-channel.ts';
import { copyText } from '../clipboard.ts';
import { ConnectionList, CONN_ROW_HEIGHT } from './connection-list.ts';
import { download, exportHar, exportPcap, fileName } from './export.ts';
import { FieldIndex, rangesOf } from './field-index.ts';
import { FieldTree } from './field-tree.ts';
import { Ingest } from './ingest.ts';
import { formatBytes, hex2, hexOffset, toHex } from './format.ts';
import { CaptureModel, type Connection, type Loss } from './model.ts';
import type { ChannelMessage, Dir } from './protocol.ts';
import { inspectorStrings } from './strings.ts';
import { closedSentence, durationOf, endingOf, pathOf, techniqueOf } from './summary.ts';
import { resumeNotes, resumeOf } from './resume.ts';
import { Timeline } from './timeline.ts';
import injectStyle from 'virtual:wl-inject-style';
import inspectorCss from './inspector.css?inline';
import { buildDom, ICONS, label } from './panel-dom.ts';
import { attachSplitter } from './splitter.ts';

// The panel's styles come with its code, not in the lesson page's <head> (astro.config.mjs).
injectStyle(inspectorCss);

export interface PanelOptions {
  session: string;
  lang: Lang;
  /** Opens the channel (tests replace it). */
  connect?: typeof openChannel;
}

export interface Panel {
  runStarted(): void;
  dispose(): void;
  /** The model, for tests and exports. */
  readonly model: CaptureModel;
}

/** Mounts the panel into `el` and connects it to the session's inspector channel. */
export function createPanel(el: HTMLElement, opts: PanelOptions): Panel {
  const t = inspectorStrings(opts.lang);
  const model = new CaptureModel({ createDissector: () => new ConnectionDissector() });
  const ui = buildDom(t);
  el.replaceChildren(ui.root);

  // ---- state
  let selected: Connection | undefined;
  let autoSelect = true;
  let paused = false;
  let pendingWhilePaused = 0;
  let filterText = '';
  let dirFilter: DirFilter = 'both';
  let shown: Connection[] = [];
  let ranRuns = 0;
  let helloAt = 0;
  /** performance.now() of Runs started before the channel's hello told us the server's clock. */
  const runsBeforeHello: number[] = [];
  let channelState: ChannelState = 'connecting';
  /** What the records-lost notice says now (renderLoss). */
  let lossShown: Loss | undefined;
  let wasLive = false;
  let frame = 0;
  let liveTimer = 0;
  let byteSelection: { dir: Dir; ranges: readonly Range[] } | undefined;
  let hoverByte: { dir: Dir; off: number } | undefined;
  let hoverField: Field | undefined;
  let index = new FieldIndex();

  /** The capture clock now (µs), from the hello's clock pair and the time since it came. */
  const nowUs = (): number => {
    const st = model.hello?.serverTime;
    const est = st ? st.monoUs + (performance.now() - helloAt) * 1000 : 0;
    return Math.max(est, model.tMax ?? 0);
  };
  const timeBase = () => model.t0 ?? 0;

  // ---- parts
  const list: ConnectionList = new ConnectionList(ui.listHost, t, opts.session, {
    onSelect: (c) => {
      autoSelect = false;
      select(c);
    },
    onKey: (e): boolean => timeline.handleKey(e),
  });
  const timeline: Timeline = new Timeline(
    {
      root: ui.top,
      scroller: list.scroller,
      headCell: list.laneHead,
      rowHeight: CONN_ROW_HEIGHT,
      scrollTop: () => list.scrollTop,
    },
    t,
    {
      onPick: (c, mark) => {
        autoSelect = false;
        select(c);
        if (mark) bytes.revealMark(mark);
      },
    },
  );
  const tree = new FieldTree(ui.treeHost, t, {
    onHover: (f) => {
      hoverField = f;
      bytes.setHover(f);
      showInfo();
    },
    onSelect: (f) => {
      byteSelection = f ? { dir: f.dir, ranges: rangesOf(f) } : undefined;
      bytes.setSelected(byteSelection);
      showInfo();
    },
  });
  const bytes = new ByteView(ui.bytesHost, t, {
    onHoverByte: (dir, off) => {
      hoverByte = dir ? { dir, off } : undefined;
      const f = dir && selected ? index.innermost(dir, off) : undefined;
      tree.hoverField(f ? index.pathTo(f) : []);
      hoverField = f;
      showInfo();
    },
    onClickByte: (dir, off) => {
      const f = index.innermost(dir, off);
      if (f) tree.reveal(f, index);
    },
    onSelectRange: (sel: ByteSelection | null) => {
      byteSelection = sel ? { dir: sel.dir, ranges: [[sel.start, sel.end]] } : undefined;
      showInfo();
    },
  });
  list.setClock(nowUs);
  tree.setTimeBase(timeBase);
  bytes.setTimeBase(timeBase);

  /**
   * A stream (SSE, comet, WebSocket) is followed at its newest bytes, like a log; a plain
   * request and its response are shown from the top, where the request line is.
   */
  let followStreaming: boolean | undefined;
  function applyFollow(): void {
    const tech = selected ? techniqueOf(selected) : undefined;
    const streaming = tech === 'sse' || tech === 'stream' || tech === 'websocket' || tech === 'long-poll';
    const on = streaming && !paused;
    if (on === followStreaming) return;
    followStreaming = on;
    bytes.follow(on);
    tree.follow(on);
  }

  // ---- selection
  function select(c: Connection | undefined): void {
    if (c === selected) return;
    selected = c;
    byteSelection = undefined;
    hoverField = undefined;
    index = new FieldIndex();
    if (c) index.update(c.items);
    list.select(c);
    timeline.setSelected(c);
    tree.setItems(c ? c.items : []);
    bytes.setConnection(c);
    followStreaming = undefined;
    applyFollow();
    renderDetailHead();
    showInfo();
  }

  // ---- the channel, and the records it brings, applied a slice at a time
  const ingest = new Ingest({
    message: (m) => {
      model.apply(m);
      if (m.type === 'hello') {
        // Place Runs pressed before the clock was known, now that it is.
        for (const at of runsBeforeHello.splice(0))
          model.markRun(m.serverTime.monoUs - (helloAt - at) * 1000);
      }
    },
    record: (r) => model.applyRecord(r),
    progress: () => schedule(),
  });
  const connect = opts.connect ?? shareChannel;
  const channel: Channel = connect({
    session: opts.session,
    resumeAfter: () => model.lastSeq,
    onMessage: (m: ChannelMessage) => {
      if (m.type === 'hello') helloAt = performance.now();
      if (paused && m.type === 'records') pendingWhilePaused += m.records.length;
      ingest.push(m);
    },
    onState: (s, detail) => {
      const before = channelState;
      channelState = s;
      if (s === 'live' && before !== 'live' && wasLive) announce(t('inspector.status.reconnected'));
      else if (s === 'reconnecting' && before !== 'reconnecting')
        announce(t('inspector.status.reconnecting'));
      else if (s === 'refused')
        announce(detail === 'version' ? t('inspector.status.version') : t('inspector.status.refused'));
      if (s === 'live') wasLive = true;
      renderStatus();
    },
  });

  function announce(text: string): void {
    ui.live.textContent = text;
    ui.flash.textContent = text;
    ui.flash.hidden = false;
    ui.flash.dataset.kind = channelState;
    clearTimeout(flashTimer);
    if (channelState === 'live') flashTimer = window.setTimeout(() => (ui.flash.hidden = true), 2500);
  }
  let flashTimer = 0;

  // ---- rendering, once per frame
  function schedule(): void {
    if (frame) return;
    frame = requestAnimationFrame(render);
  }

  function render(): void {
    frame = 0;
    if (paused) {
      renderStatus();
      return;
    }
    const changes = model.takeChanges();
    if (changes.list || changes.connections.size > 0) {
      const before = shown.length;
      shown = model.connections.filter(matches);
      if (changes.list || shown.length !== before) {
        ui.main.style.setProperty('--insp-rows', String(Math.max(1, shown.length)));
        list.setConnections(shown);
        timeline.setConnections(shown);
      } else {
        list.refresh(changes.connections);
      }
      if (selected && !model.get(selected.id)) select(undefined);
      if (autoSelect && shown.length > 0) {
        const newest = shown[shown.length - 1]!;
        if (newest !== selected) select(newest);
      } else if (!selected && shown.length > 0) {
        select(shown[shown.length - 1]);
      }
      if (selected && changes.connections.has(selected)) {
        index.update(selected.items);
        tree.update();
        bytes.update();
        applyFollow();
        renderDetailHead();
      }
    }
    timeline.setTimes(model.t0 ?? nowUs(), nowUs(), model.runs);
    renderEmpty();
    renderStatus();
    // While something is open, the lanes keep growing with the clock.
    const anyOpen = model.connections.some((c) => c.open);
    if (anyOpen && !liveTimer) {
      let ticks = 0;
      liveTimer = window.setInterval(() => {
        if (paused) return;
        timeline.setTimes(model.t0 ?? nowUs(), nowUs(), model.runs);
        // Once a second, the durations of open connections move on too.
        if (++ticks % 4 === 0) {
          list.refresh(new Set(model.connections.filter((c) => c.open)));
          if (selected?.open) renderDetailHead();
        }
      }, 250);
    } else if (!anyOpen && liveTimer) {
      clearInterval(liveTimer);
      liveTimer = 0;
    }
  }

  function matches(c: Connection): boolean {
    if (!filterText) return true;
    const s = c.summary();
    const hay = `#${c.index} ${s.method ?? ''} ${pathOf(s.path, opts.session)} ${s.status ?? ''} ${
      techniqueOf(c) ?? ''
    }`.toLowerCase();
    return filterText
      .toLowerCase()
      .split(/\s+/)
      .every((w) => hay.includes(w));
  }

  function renderEmpty(): void {
    const none = model.connections.length === 0;
    ui.empty.hidden = !none;
    ui.main.hidden = none;
    ui.emptyTitle.textContent = ranRuns === 0 ? t('inspector.empty.title') : t('inspector.waiting.title');
    setWithCode(ui.emptyBody, ranRuns === 0 ? t('inspector.empty.body') : t('inspector.waiting.body'));
  }

  function renderStatus(): void {
    const stateText: Record<ChannelState, string> = {
      connecting: t('inspector.status.connecting'),
      replaying: t('inspector.status.replaying'),
      live: t('inspector.status.live'),
      reconnecting: t('inspector.status.reconnecting'),
      refused: t('inspector.status.refused'),
      closed: t('inspector.status.closed'),
    };
    ui.state.dataset.state = channelState;
    ui.state.title = stateText[channelState] ?? channelState;
    ui.stateText.textContent = paused
      ? t('inspector.status.paused', { n: pendingWhilePaused })
      : (stateText[channelState] ?? channelState);
    let up = 0;
    let down = 0;
    for (const c of model.connections) {
      up += c.bytes.in.end;
      down += c.bytes.out.end;
    }
    // Captured bytes the panel holds, as a marker: bench/browser-latency.ts waits for it to grow after Run.
    ui.root.dataset.bytes = String(up + down);
    const one = model.connections.length === 1;
    ui.totals.textContent = t(one ? 'inspector.status.totals.one' : 'inspector.status.totals', {
      n: model.connections.length,
      up: formatBytes(up),
      down: formatBytes(down),
    });
    ui.backlog.hidden = ingest.backlog < 500;
    if (ingest.backlog >= 500) ui.backlog.textContent = t('inspector.status.backlog', { n: ingest.backlog });
    renderLoss();
    const d = model.dropped;
    const forgotten = model.forgotten;
    ui.dropped.hidden = d.records === 0 && forgotten === undefined;
    if (forgotten !== undefined)
      ui.dropped.textContent = t('inspector.status.forgotten', { max: forgotten.maxSessions });
    else if (d.records > 0)
      ui.dropped.textContent = t('inspector.status.dropped', { n: d.records, bytes: formatBytes(d.bytes) });
  }

  /** The notice that the records before the last reconnect are gone, and why; said once to screen readers. */
  function renderLoss(): void {
    const loss = model.loss;
    if (loss === lossShown) return;
    lossShown = loss;
    ui.lost.hidden = loss === undefined;
    if (loss === undefined) {
      delete ui.lost.dataset.reason;
      return;
    }
    ui.lost.dataset.reason = loss;
    ui.lostTitle.textContent = t('inspector.lost.title');
    ui.lostBody.textContent = t(loss === 'moved' ? 'inspector.lost.moved' : 'inspector.lost.forgotten');
    ui.lost.title = t('inspector.lost.hint');
    ui.live.textContent = `${ui.lostTitle.textContent} ${ui.lostBody.textContent}`;
  }

  function renderDetailHead(): void {
    const c = selected;
    ui.detailHead.hidden = !c;
    if (!c) return;
    const s = c.summary();
    const tech = techniqueOf(c);
    const end = endingOf(c, t);
    const parts: Array<string | HTMLElement> = [];
    const n = document.createElement('span');
    n.className = 'dh-n';
    n.textContent = `#${c.index}`;
    parts.push(n);
    const req = document.createElement('span');
    req.className = 'dh-req';
    const m = document.createElement('b');
    m.textContent = s.method ?? '…';
    req.append(m, ` ${pathOf(s.path, opts.session)}`);
    parts.push(req);
    if (s.status !== undefined) {
      const st = document.createElement('span');
      st.className = `dh-status${s.status >= 400 ? ' bad' : ''}`;
      st.textContent = String(s.status);
      parts.push(st);
    }
    if (tech) {
      const b = document.createElement('span');
      b.className = 'insp-badge';
      b.dataset.kind = tech;
      b.textContent = t(`inspector.technique.${tech}`);
      parts.push(b);
    }
    const dur = document.createElement('span');
    dur.className = 'dh-dur';
    dur.textContent = `${t.duration(durationOf(c, nowUs()))} · ${end.long}`;
    dur.title = end.long;
    parts.push(dur);
    ui.detailTitle.replaceChildren(...parts);
    const notes: string[] = [];
    for (const note of c.notes) {
      if (note.kind === 'note') notes.push(t.wire(note.text));
      else if (note.kind === 'timeout') notes.push(t('inspector.note.timeout'));
      else
        notes.push(
          t('inspector.note.moved', {
            dir: note.dir === 'in' ? t('inspector.dir.in') : t('inspector.dir.out'),
          }),
        );
    }
    if (c.reused)
      notes.push(
        t('inspector.note.reused', { in: formatBytes(c.before.in), out: formatBytes(c.before.out) }),
      );
    const resume = resumeOf(model.connections, c);
    if (resume) notes.push(...resumeNotes(resume, c, t));
    if (c.desync.in || c.desync.out) notes.push(t('inspector.note.desync'));
    if (c.dissectError) notes.push(t('inspector.note.dissectError', { message: c.dissectError }));
    ui.notes.hidden = notes.length === 0;
    ui.notes.textContent = notes.join(' ');
  }

  /** The info line: the byte under the pointer, or the hovered/selected field, or the selection. */
  function showInfo(): void {
    const c = selected;
    const f = hoverField ?? tree.selection;
    const parts: string[] = [];
    if (hoverByte && c) {
      const b = c.bytes[hoverByte.dir].byteAt(hoverByte.off);
      if (b >= 0) {
        const dir = hoverByte.dir === 'in' ? '→' : '←';
        parts.push(
          `${dir} 0x${hexOffset(hoverByte.off, 4)} (${hoverByte.off}) = ${hex2(b)} ${describeByte(b)}`,
        );
      }
    }
    if (f) {
      const size = rangesOf(f).reduce((n, [a, b]) => n + b - a, 0);
      parts.push(
        `${t.wire(f.label, f.kind)}${f.value && f.value !== f.label ? ` = ${short(f.value)}` : ''} · ${t('inspector.info.bytes', { from: f.start, to: f.end, n: size })}`,
      );
      if (f.note) parts.push(t.wire(f.note));
      if (f.error) parts.push(`⚠ ${t.wire(f.error.message)}${f.error.code ? ` (${f.error.code})` : ''}`);
    } else if (byteSelection) {
      const size = byteSelection.ranges.reduce((n, [a, b]) => n + b - a, 0);
      parts.push(t('inspector.info.selection', { n: size }));
    }
    ui.info.textContent = parts.join(' · ') || t('inspector.info.hint');
    const canCopy = !!byteSelection && !!c;
    ui.copyHex.disabled = !canCopy;
    ui.copyText.disabled = !canCopy;
  }

  function selectedBytes(): Uint8Array {
    if (!byteSelection || !selected) return new Uint8Array(0);
    const store = selected.bytes[byteSelection.dir];
    const parts = byteSelection.ranges.map(([a, b]) => store.slice(a, b));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  async function copy(as: 'hex' | 'text'): Promise<void> {
    const data = selectedBytes();
    const text = as === 'hex' ? toHex(data) : new TextDecoder().decode(data);
    const ok = await copyText(text);
    toast(
      ok
        ? t(as === 'hex' ? 'inspector.copy.doneHex' : 'inspector.copy.doneText', { n: data.length })
        : t('inspector.copy.failed'),
    );
  }

  let toastTimer = 0;
  function toast(text: string): void {
    ui.toast.textContent = text;
    ui.toast.hidden = false;
    ui.live.textContent = text;
    clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => (ui.toast.hidden = true), 1800);
  }

  // ---- toolbar
  ui.pause.addEventListener('click', () => setPaused(!paused));
  function setPaused(on: boolean): void {
    paused = on;
    pendingWhilePaused = 0;
    ui.pause.setAttribute('aria-pressed', String(on));
    ui.pause.innerHTML = on ? ICONS.play : ICONS.pause;
    ui.pause.append(label(on ? t('inspector.resume') : t('inspector.pause')));
    ui.root.classList.toggle('paused', on);
    followStreaming = undefined;
    applyFollow();
    schedule();
  }
  ui.clear.addEventListener('click', () => {
    model.clear();
    autoSelect = true;
    schedule();
  });
  ui.filter.addEventListener('input', () => {
    filterText = ui.filter.value.trim();
    shown = model.connections.filter(matches);
    list.setConnections(shown);
    timeline.setConnections(shown);
  });
  for (const b of ui.dirButtons) {
    b.addEventListener('click', () => {
      dirFilter = b.dataset.dir as DirFilter;
      for (const o of ui.dirButtons) o.setAttribute('aria-pressed', String(o === b));
      bytes.setFilter(dirFilter);
      tree.setFilter(dirFilter);
      timeline.setFilter(dirFilter);
    });
  }
  ui.zoomIn.addEventListener('click', () => timeline.zoomBy(0.5));
  ui.zoomOut.addEventListener('click', () => timeline.zoomBy(2));
  ui.zoomFit.addEventListener('click', () => timeline.fit());
  ui.exportHar.addEventListener('click', () => {
    const text = exportHar(model, shown, location.origin, (c) => closedSentence(c, t));
    download(text, 'application/json', fileName('har'));
    ui.exportMenu.open = false;
  });
  ui.exportPcap.addEventListener('click', () => {
    const data = exportPcap(model, shown, location.hostname);
    download(data as Uint8Array<ArrayBuffer>, 'application/vnd.tcpdump.pcap', fileName('pcap'));
    ui.exportMenu.open = false;
  });
  ui.copyHex.addEventListener('click', () => void copy('hex'));
  ui.copyText.addEventListener('click', () => void copy('text'));

  // ---- expand to the full window (the projector view)
  // The popover top layer lifts the panel above the page's stacking contexts (the sticky
  // playground column, the site header) without moving it in the DOM.
  const setExpanded = (on: boolean) => {
    const root = ui.root;
    if (on && !root.classList.contains('expanded')) {
      root.setAttribute('popover', 'manual');
      root.showPopover?.();
    } else if (!on && root.classList.contains('expanded')) {
      if (root.matches(':popover-open')) root.hidePopover?.();
      root.removeAttribute('popover');
    }
    root.classList.toggle('expanded', on);
    ui.expand.setAttribute('aria-pressed', String(on));
    ui.expand.innerHTML = on ? ICONS.collapse : ICONS.expand;
    const text = on ? t('inspector.collapse') : t('inspector.expand');
    ui.expand.title = text;
    ui.expand.setAttribute('aria-label', text);
    document.documentElement.classList.toggle('insp-expanded-page', on);
  };
  ui.expand.addEventListener('click', () => setExpanded(!ui.root.classList.contains('expanded')));
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && ui.root.classList.contains('expanded')) {
      setExpanded(false);
      ui.expand.focus();
    }
  };
  document.addEventListener('keydown', onKey);
  ui.lanesKeys.addEventListener('keydown', (e) => {
    if (timeline.handleKey(e)) e.preventDefault();
  });

  // ---- the splitter between the connections and the detail
  attachSplitter(ui.splitter, ui.main);

  renderEmpty();
  renderStatus();
  showInfo();

  return {
    model,
    runStarted() {
      ranRuns++;
      if (ui.autoClear.checked) model.clear();
      model.forgetLoss(); // what the notice spoke of is before this Run
      if (model.hello) model.markRun(nowUs());
      else runsBeforeHello.push(performance.now());
      autoSelect = true;
      if (paused) setPaused(false);
      schedule();
    },
    dispose() {
      channel.close();
      ingest.stop();
      if (frame) cancelAnimationFrame(frame);
      clearInterval(liveTimer);
      clearTimeout(flashTimer);
      clearTimeout(toastTimer);
      document.removeEventListener('keydown', onKey);
      document.documentElement.classList.remove('insp-expanded-page');
      list.destroy();
      timeline.destroy();
      tree.destroy();
      bytes.destroy();
      ui.root.remove();
    },
  };
}

function short(s: string): string {
  const flat = s.replace(/\r\n|\r|\n/g, '⏎');
  return flat.length > 80 ? flat.slice(0, 80) + '…' : flat;
}

function describeByte(b: number): string {
  if (b === 0x0d) return 'CR';
  if (b === 0x0a) return 'LF';
  if (b === 0x09) return 'HT';
  if (b === 0x20) return 'SP';
  if (b >= 0x21 && b <= 0x7e) return `'${String.fromCharCode(b)}'`;
  return '';
}

/** Sets a message whose `backticked` parts are code: they render as <code>, the rest as text. */
function setWithCode(el: HTMLElement, message: string): void {
  el.replaceChildren(
    ...message.split('`').map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      const code = document.createElement('code');
      code.textContent = part;
      return code;
    }),
  );
}
