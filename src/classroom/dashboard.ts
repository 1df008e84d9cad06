/**
 * The teacher's dashboard (`src/pages/[lang]/class/teacher.astro`): starts a class, shows how to
 * join it, and follows it live over the class channel: who is here, on which lesson, with which
 * connections open, how fast messages reach them, what passed, what was handed in. Counts only:
 * a learner's bytes stay in their own inspector.
 */
import { encodeShare } from '../playground/share.ts';
import { type ClassInfo, classInfo, createClass } from './api.ts';
import { type ClassChannel, currentChannel, type ServerMessage } from './channel.ts';
import { fill, loadMembership, type Membership, saveMembership } from './membership.ts';

type Techniques = Record<'polling' | 'longPolling' | 'comet' | 'sse' | 'websocket', number>;
interface LearnerRow {
  id: number;
  name: string;
  lesson: string | null;
  online: number;
  open: Techniques;
  rate: number;
  delivered: number;
  passed: string[];
}
interface Activity {
  learners: LearnerRow[];
  totals: { joined: number; online: number; open: Techniques; rate: number };
}
interface HandIn {
  id: number;
  learner: number;
  name: string;
  lesson: string;
  step: string;
  code: string;
  /** The learner's handler, on a step where they write the server too. */
  server?: string;
  time: string;
}

/** Chips in a learner's row, in the order of the course; colours from the technique. */
const CHIPS: Array<{ key: keyof Techniques; technique: string }> = [
  { key: 'polling', technique: 'polling' },
  { key: 'longPolling', technique: 'polling' },
  { key: 'comet', technique: 'comet' },
  { key: 'sse', technique: 'sse' },
  { key: 'websocket', technique: 'websocket' },
];
/** The start of a hand-in's code, as its row shows it. */
const firstLines = (code: string): string => code.split('\n').slice(0, 3).join('\n');

/** Hand-ins listed at once (the server keeps more). */
const HAND_INS_SHOWN = 60;

export function initDashboard(root: HTMLElement): void {
  const strings = JSON.parse(root.dataset.strings ?? '{}') as Record<string, string>;
  const s = (key: string) => strings[`teacher.${key}`] ?? key;
  const lang = root.dataset.lang ?? 'en';
  const lessons = JSON.parse(root.dataset.lessons ?? '[]') as Array<{
    slug: string;
    title: string;
    order: number;
  }>;
  const titleOf = (slug: string | null) => lessons.find((l) => l.slug === slug)?.title ?? slug ?? '—';
  const $ = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
  const live = $('.td-live');
  const time = (iso?: string) =>
    new Date(iso ?? Date.now()).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      hour: '2-digit',
      minute: '2-digit',
    });
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text = '') => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  };

  let code = '';
  let origins: string[] = [];
  let channel: ClassChannel | null = null;

  const view = (name: 'start' | 'live' | 'over') => {
    $('.td-start').hidden = name !== 'start';
    live.hidden = name !== 'live';
    $('.td-over').hidden = name !== 'over';
  };

  // ---- start

  const start = () => {
    view('start');
    $('.td-start-button').focus();
  };
  $('.td-start-button').addEventListener('click', async () => {
    const button = $<HTMLButtonElement>('.td-start-button');
    button.disabled = true;
    button.textContent = s('start.starting');
    const created = await createClass();
    button.disabled = false;
    button.textContent = s('start.button');
    const error = $('.td-error');
    if (!created.ok) {
      error.textContent = fill(s('start.failed'), { reason: created.reason });
      error.hidden = false;
      return;
    }
    error.hidden = true;
    const m: Membership = { role: 'teacher', code: created.value.code, key: created.value.key };
    saveMembership(m);
    goLive(m, { ...created.value, lesson: null, learners: 0 });
  });
  $('.td-again').addEventListener('click', start);

  const over = (text: string) => {
    $('.td-over-text').textContent = text;
    view('over');
  };

  // ---- how to join

  const showJoin = (info: ClassInfo, chosen = 0) => {
    origins = info.origins;
    const origin = origins[chosen];
    $('.td-not-exposed').hidden = info.exposed;
    $('.td-url').hidden = !origin;
    $('.td-qr').hidden = !origin;
    const other = $<HTMLDetailsElement>('.td-other');
    other.hidden = origins.length < 2;
    if (!origin) return;
    $('.td-url').textContent = `${origin}/${lang}/class/join/#${code}`;
    const img = $<HTMLImageElement>('.td-qr img');
    img.src = `/class/${code}/qr.svg?lang=${lang}&origin=${chosen}`;
    img.alt = `QR: ${origin}/${lang}/class/join/#${code}`;
    const list = other.querySelector('ul')!;
    list.replaceChildren(
      ...origins.map((o, i) => {
        const li = el('li');
        const b = el('button', '', o);
        b.type = 'button';
        b.addEventListener('click', () => showJoin(info, i));
        li.append(b);
        return li;
      }),
    );
  };

  // ---- live

  const setLesson = (slug: string | null) => {
    const target = slug ?? lessons[0]?.slug;
    if (target) $<HTMLAnchorElement>('.td-projector').href = `/${lang}/lessons/${target}/?projector=1`;
    if (slug) $<HTMLSelectElement>('#td-bring-lesson').value = slug;
  };

  async function goLive(m: Membership & { role: 'teacher' }, known?: ClassInfo): Promise<void> {
    code = m.code;
    view('live');
    $('.td-code').textContent = code;
    renderActivity({ learners: [], totals: { joined: 0, online: 0, rate: 0, open: zero() } });
    $('.td-hand-ins ol').replaceChildren();
    $('.td-pushed').replaceChildren();
    let info = known;
    if (!info) {
      const answer = await classInfo(code);
      if (!answer.ok && answer.status === 404) {
        saveMembership(null);
        over(s('gone'));
        return;
      }
      if (answer.ok) info = answer.value;
    }
    if (info) {
      showJoin(info);
      setLesson(info.lesson);
    }
    channel = currentChannel();
    if (channel) listen(channel);
  }

  /** Shared mode: whether the class store (Redis) answers, and since when it has not. */
  type SharedState = { up: boolean; since: string | null };
  function showShared(state: SharedState | undefined): void {
    const notice = $('.td-shared-down');
    notice.hidden = !state || state.up;
    notice.textContent = notice.hidden
      ? ''
      : fill(s('sharedDown'), { time: time(state?.since ?? undefined) });
  }

  const listening = new WeakSet<ClassChannel>();
  function listen(c: ClassChannel): void {
    if (listening.has(c)) return;
    listening.add(c);
    c.onState((state) => {
      live.dataset.state = state;
      if (state === 'ended') over(s('ended'));
      else if (state === 'gone') over(s('gone'));
      else $('.td-state-text').textContent = s(`state.${state}`);
    });
    c.on('welcome', (w) => {
      const cls = w.class as { lesson: string | null };
      setLesson(cls.lesson);
      const list = $('.td-hand-ins ol');
      list.replaceChildren();
      for (const h of (w.handIns as HandIn[]) ?? []) addHandIn(h);
      // The server could not use its data file: this class would not outlive a restart.
      const problem = $('.td-store-problem');
      problem.hidden = typeof w.storeProblem !== 'string';
      problem.textContent = problem.hidden ? '' : fill(s('storeProblem'), { reason: String(w.storeProblem) });
      showShared(w.shared as SharedState | undefined);
    });
    // Several server processes share Redis: while it is away, this process serves what it holds.
    c.on('shared', (m) => showShared(m as unknown as SharedState));
    c.on('activity', (a) => renderActivity(a as unknown as Activity));
    c.on('pushed', (p) => {
      const li = el('li');
      li.append(
        el('span', 'id', `#${p.id}`),
        el('span', 'text', String(p.text)),
        el('time', '', time(String(p.time))),
      );
      li.title = fill(s('push.sent'), { id: String(p.id), time: time(String(p.time)) });
      const list = $('.td-pushed');
      list.prepend(li);
      while (list.children.length > 3) list.lastElementChild?.remove();
    });
    c.on('brought', (b) => {
      setLesson(String(b.lesson));
      $('.td-bring-status').textContent = fill(s('bring.done'), { title: titleOf(String(b.lesson)) });
    });
    c.on('hand-in', (h) => addHandIn(h.handIn as HandIn));
    c.on('refused', (r: ServerMessage) => {
      const where = r.action === 'goto' ? $('.td-bring-status') : $('.td-push .td-hint');
      where.textContent = fill(s('refused'), { reason: String(r.reason) });
    });
  }

  // ---- what the teacher does

  $<HTMLFormElement>('.td-push').addEventListener('submit', (event) => {
    event.preventDefault();
    const box = $<HTMLTextAreaElement>('#td-push-text');
    const text = box.value.trim();
    if (!text) return box.focus();
    if (channel?.send({ type: 'push', text })) box.value = '';
    box.focus();
  });
  $<HTMLTextAreaElement>('#td-push-text').addEventListener('keydown', (event) => {
    // Enter pushes; Shift+Enter is a new line.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $<HTMLFormElement>('.td-push').requestSubmit();
    }
  });
  $<HTMLFormElement>('.td-bring').addEventListener('submit', (event) => {
    event.preventDefault();
    channel?.send({ type: 'goto', lesson: $<HTMLSelectElement>('#td-bring-lesson').value });
  });
  $('.td-end').addEventListener('click', () => {
    if (confirm(s('end.confirm'))) channel?.send({ type: 'end' });
  });

  // ---- drawing the activity

  function renderActivity(a: Activity): void {
    const stat = (name: string) => root.querySelector<HTMLElement>(`[data-stat="${name}"]`)!;
    stat('online').textContent = String(a.totals.online);
    stat('joined').textContent = fill(s('stat.online'), { online: a.totals.online, joined: a.totals.joined });
    stat('rate').textContent = formatRate(a.totals.rate);
    for (const { key } of CHIPS)
      stat(key).textContent = key === 'polling' ? formatRate(a.totals.open[key]) : String(a.totals.open[key]);

    const table = $('.td-learners .td-table');
    const empty = $('.td-learners .td-empty');
    table.hidden = a.learners.length === 0;
    empty.hidden = a.learners.length > 0;
    const url = $('.td-url').textContent;
    empty.textContent = url ? fill(s('learners.empty'), { url, code }) : s('learners.emptyLocal');
    $('.td-learners .td-count').textContent = a.learners.length ? String(a.learners.length) : '';
    const rows = [...a.learners]
      .sort((x, y) => Number(y.online > 0) - Number(x.online > 0) || x.name.localeCompare(y.name))
      .map((l) => {
        const tr = el('tr');
        tr.dataset.learner = String(l.id);
        if (l.online === 0) tr.dataset.away = '';
        const name = el('td');
        name.append(el('span', 'name', l.name));
        if (l.online === 0) name.append(el('span', 'away', s('offline')));
        const chips = el('td');
        const box = el('span', 'chips');
        for (const { key, technique } of CHIPS) {
          const n = l.open[key];
          if (!n) continue;
          const chip = el('span', 'td-chip', `${s(`chip.${key}`)} ${key === 'polling' ? formatRate(n) : n}`);
          chip.dataset.technique = technique;
          chip.dataset.key = key;
          box.append(chip);
        }
        chips.append(box);
        tr.append(
          name,
          el('td', '', titleOf(l.lesson)),
          chips,
          el('td', 'num', formatRate(l.rate)),
          el('td', 'num', l.passed.length ? `✓ ${l.passed.length}` : ''),
        );
        return tr;
      });
    $('.td-learners tbody').replaceChildren(...rows);

    // Exercise checks passed, per lesson, in course order.
    const passed = new Map<string, number>();
    for (const l of a.learners) for (const p of l.passed) passed.set(p, (passed.get(p) ?? 0) + 1);
    const checks = lessons
      .filter((l) => passed.has(l.slug))
      .map((l) => {
        const n = passed.get(l.slug) ?? 0;
        const li = el('li', 'td-check');
        const bar = el('span', 'bar');
        const fillBar = el('span');
        fillBar.style.width = `${Math.round((100 * n) / Math.max(1, a.totals.joined))}%`;
        bar.append(fillBar);
        li.append(
          el('span', '', `${l.order} · ${l.title}`),
          el('strong', '', `${n} / ${a.totals.joined}`),
          bar,
        );
        return li;
      });
    $('.td-checks ol').replaceChildren(...checks);
    $('.td-checks .td-empty').hidden = checks.length > 0;
  }

  function addHandIn(h: HandIn): void {
    const list = $('.td-hand-ins ol');
    list
      .querySelector(`[data-learner="${h.learner}"][data-step="${CSS.escape(`${h.lesson}/${h.step}`)}"]`)
      ?.remove();
    const li = el('li', 'td-hand-in');
    li.dataset.learner = String(h.learner);
    li.dataset.step = `${h.lesson}/${h.step}`;
    li.append(
      el('span', 'who', h.name),
      el(
        'span',
        'what',
        `${titleOf(h.lesson)} · ${fill(s('handIns.step'), { step: h.step })} · ${time(h.time)}`,
      ),
      el('pre', '', firstLines(h.code)),
    );
    if (h.server !== undefined) {
      const handler =
        h.server.trim() === ''
          ? el('p', 'server empty', s('handIns.emptyHandler'))
          : el('pre', 'server', firstLines(h.server));
      li.append(el('span', 'label', s('handIns.handler')), handler);
    }
    const links = el('span', 'links');
    const open = el('a', 'open', s('handIns.open'));
    const projector = el('a', 'projector', s('handIns.projector'));
    open.target = '_blank';
    projector.target = '_blank';
    links.append(open, projector);
    li.append(links);
    // The playground's share link: the code travels in the fragment and loads without running;
    // marked as a hand-in, it runs in a session of its own and leaves the teacher's drafts alone.
    void encodeShare(h.step, h.code, true, h.server ?? null).then((fragment) => {
      open.href = `/${lang}/lessons/${h.lesson}/${fragment}`;
      projector.href = `/${lang}/lessons/${h.lesson}/?projector=1${fragment}`;
    });
    list.prepend(li);
    while (list.children.length > HAND_INS_SHOWN) list.lastElementChild?.remove();
    $('.td-hand-ins .td-empty').hidden = true;
    $('.td-hand-ins .td-count').textContent = String(list.children.length);
  }

  // ---- at load

  const m = loadMembership();
  if (m?.role === 'teacher') void goLive(m);
  else start();
}

const zero = (): Techniques => ({ polling: 0, longPolling: 0, comet: 0, sse: 0, websocket: 0 });

/** 12.3, 4, 0: rates with one decimal when small. */
function formatRate(n: number): string {
  return n >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
}
