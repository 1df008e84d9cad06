/**
 * The class bar (`ClassBar.astro`): the header's second row while in a class. It keeps the class
 * channel open, shows what the teacher pushes, follows "bring everyone to lesson N" after a short
 * notice, hands in the playground's code, and reports the exercise checks the page passes.
 */
import { PLAYGROUND_CODE_EVENT, type PlaygroundCode } from '../playground/code-on-show.ts';
import { classInfo } from './api.ts';
import { type ClassChannel, currentChannel, pageLesson } from './channel.ts';
import { fill, loadMembership, MEMBERSHIP_EVENT } from './membership.ts';

interface Strings {
  you: string;
  teacher: string;
  handIn: string;
  handingIn: string;
  handedIn: string;
  none: string;
  refused: string;
  tooLarge: string;
  overBound: string;
  overBoundBoth: string;
  overFrame: string;
  push: string;
  goto: string;
  connecting: string;
  live: string;
  reconnecting: string;
  ended: string;
  gone: string;
  joinAt: string;
  teacherHint: string;
}

/** Seconds between "your teacher brings everyone to …" and going there. */
const GOTO_SECONDS = 3;

export function initClassBar(): void {
  const bar = document.querySelector<HTMLElement>('.class-bar');
  if (!bar) return;
  const strings = JSON.parse(bar.dataset.strings ?? '{}') as Strings;
  const lessons = JSON.parse(bar.dataset.lessons ?? '{}') as Record<string, string>;
  const lang = bar.dataset.lang ?? 'en';
  const $ = <T extends HTMLElement>(selector: string) => bar.querySelector<T>(selector)!;
  const message = $<HTMLElement>('.cb-message');
  const handIn = $<HTMLButtonElement>('.cb-hand-in');
  const handInLabel = handIn.querySelector('span')!;
  const go = $<HTMLButtonElement>('.cb-go');
  const more = $<HTMLButtonElement>('.cb-more');
  const full = $<HTMLElement>('.cb-full');
  const fullText = full.querySelector('p')!;
  const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
  const number = new Intl.NumberFormat(locale);
  const time = (iso?: unknown) =>
    new Date(typeof iso === 'string' ? iso : Date.now()).toLocaleTimeString(locale, {
      hour: '2-digit',
      minute: '2-digit',
    });

  let channel: ClassChannel | null = null;
  let resting = ''; // what the message line shows when nothing newer does
  let gotoTimer = 0;

  /**
   * The message line has one row, and a phone's is short: when the text is cut off, a button
   * beside it opens the whole of it under the bar (a popover: Escape or a tap elsewhere closes
   * it; its place is CSS's, under the sticky header). A browser without popovers keeps the title.
   */
  const canPop = typeof full.showPopover === 'function';
  const isOpen = () => canPop && full.matches(':popover-open');
  const fitMessage = () => {
    const cut = canPop && message.scrollWidth > message.clientWidth;
    if (!cut && document.activeElement === more) message.focus(); // not lost to <body> with it
    more.hidden = !cut;
    if (!cut && isOpen()) full.hidePopover();
  };
  full.addEventListener('beforetoggle', (event) => {
    more.setAttribute('aria-expanded', String(event.newState === 'open')); // said outright
  });
  // The bar's width changes with the window; what stands beside the line, with `fitMessage()` calls.
  new ResizeObserver(() => fitMessage()).observe(bar);
  // A tap on the line opens the message too. One while it is open has closed it already (light
  // dismiss, on the way down): it must not open it again.
  let openAtPress = false;
  message.addEventListener('pointerdown', () => {
    openAtPress = isOpen();
  });
  message.addEventListener('click', () => {
    if (!more.hidden && !openAtPress) full.showPopover();
    openAtPress = false;
  });

  const say = (text: string, kind = '') => {
    message.textContent = text;
    message.title = text;
    message.dataset.kind = kind;
    fullText.textContent = text;
    fullText.dataset.kind = kind;
    if (!bar.hidden) fitMessage();
  };

  /** Why a hand-in would not be taken, measured against the welcome's limits before sending. */
  const overLimits = (handed: { code: string; server?: string }): string | null => {
    const limits = channel?.limits;
    if (!limits) return null; // a server from before limits: it says so itself, or closes with 1009
    const bytes = (text: string) => new TextEncoder().encode(text).length;
    const size = bytes(handed.code) + (handed.server === undefined ? 0 : bytes(handed.server));
    if (size > limits.messageBytes) {
      const text = handed.server === undefined ? strings.overBound : strings.overBoundBoth;
      return fill(text, { bytes: number.format(size), limit: number.format(limits.messageBytes) });
    }
    const frame = bytes(JSON.stringify(handed));
    if (frame > limits.frameBytes)
      return fill(strings.overFrame, {
        bytes: number.format(frame),
        limit: number.format(limits.frameBytes),
      });
    return null;
  };

  const listen = (c: ClassChannel) => {
    const m = c.membership;
    c.onState((state) => {
      bar.dataset.state = state;
      if (state === 'ended' || state === 'gone') {
        say(state === 'ended' ? strings.ended : strings.gone);
        handIn.hidden = true;
        $('.cb-dashboard').hidden = true;
        fitMessage(); // the line is wider now
        // Leave the notice up a while, then give the header its single row back.
        setTimeout(() => {
          if (!loadMembership()) show(false);
        }, 8_000);
      } else if (state !== 'live') {
        // A hand-in on its way when the channel closed got no answer and never will: press again.
        const pending = handIn.disabled;
        handIn.disabled = false;
        handInLabel.textContent = strings.handIn;
        // Closed for a frame over maxPayload: the hand-in was the frame (JSON escapes made it so).
        if (pending && c.closeCode === 1009)
          say(fill(strings.refused, { reason: strings.tooLarge }), 'error');
        else say(state === 'connecting' ? strings.connecting : strings.reconnecting);
      } else if (!message.dataset.kind) {
        say(resting);
      }
    });
    c.on('push', (p) => say(fill(strings.push, { text: String(p.text ?? '') }), 'push'));
    c.on('handed-in', () => {
      handIn.disabled = false;
      handInLabel.textContent = strings.handIn;
      say(fill(strings.handedIn, { time: time() }), 'done');
    });
    c.on('refused', (r) => {
      if (r.action !== 'hand-in') return;
      handIn.disabled = false;
      handInLabel.textContent = strings.handIn;
      say(fill(strings.refused, { reason: String(r.reason ?? '') }), 'error');
    });
    c.on('goto', (g) => {
      const slug = String(g.lesson ?? '');
      if (!/^[a-z0-9-]+$/.test(slug) || slug === pageLesson()) return;
      clearInterval(gotoTimer);
      let left = GOTO_SECONDS;
      const target = `/${lang}/lessons/${slug}/`;
      const tick = () => say(fill(strings.goto, { title: lessons[slug] ?? slug, s: left }), 'goto');
      tick();
      go.hidden = false;
      fitMessage(); // the line is narrower now
      go.onclick = () => location.assign(target);
      gotoTimer = window.setInterval(() => {
        left -= 1;
        if (left <= 0) {
          clearInterval(gotoTimer);
          location.assign(target);
        } else tick();
      }, 1_000);
    });
    if (m.role === 'teacher') {
      resting = strings.teacherHint;
      void classInfo(m.code).then((info) => {
        const origin = info.ok ? info.value.origins[0] : undefined;
        if (!origin) return;
        resting = fill(strings.joinAt, { url: `${origin}/${lang}/class/join/#${m.code}` });
        if (c.state === 'live' && !message.dataset.kind) say(resting);
      });
    }
  };

  /** Shows or hides the bar, and the header's second row with it. */
  const show = (on: boolean) => {
    bar.hidden = !on;
    document.documentElement.toggleAttribute('data-class-bar', on);
    if (!on && isOpen()) full.hidePopover(); // shown: render() fits the line once its buttons are set
  };

  const render = () => {
    const m = loadMembership();
    // The dashboard shows the class in full: no bar there (the head script agrees, see BaseLayout).
    const dashboard = location.pathname.endsWith('/class/teacher/');
    if (!m || dashboard) {
      if (dashboard || (bar.dataset.state !== 'ended' && bar.dataset.state !== 'gone')) show(false);
      return;
    }
    show(true);
    message.dataset.kind = '';
    $('.cb-code').textContent = m.code;
    $('.cb-who').textContent = m.role === 'teacher' ? strings.teacher : fill(strings.you, { name: m.name });
    handIn.hidden = m.role !== 'learner' || !document.querySelector('section.playground');
    $('.cb-dashboard').hidden = m.role !== 'teacher';
    fitMessage();
    resting = '';
    const c = currentChannel();
    if (c && c !== channel) {
      channel = c;
      listen(c);
    }
  };

  handIn.addEventListener('click', () => {
    const ask: PlaygroundCode = {};
    document.dispatchEvent(new CustomEvent(PLAYGROUND_CODE_EVENT, { detail: ask }));
    if (!ask.code || !ask.slug || !ask.step) {
      say(strings.none, 'error');
      return;
    }
    const fields = { type: 'hand-in', lesson: ask.slug, step: ask.step, code: ask.code };
    const handed = ask.server === undefined ? fields : { ...fields, server: ask.server };
    const over = overLimits(handed);
    if (over) {
      say(fill(strings.refused, { reason: over }), 'error');
      return;
    }
    if (!channel?.send(handed)) {
      say(strings.reconnecting);
      return;
    }
    handIn.disabled = true;
    handInLabel.textContent = strings.handingIn;
    say(strings.handingIn, 'pending'); // on a phone the button is an icon: the line says it
  });

  // The exercise card says when this page's exercise passed (src/checks/exercise-card.ts).
  document.addEventListener('wl-progress', (event) => {
    const lesson = (event as CustomEvent<{ lesson?: string }>).detail?.lesson;
    if (lesson && loadMembership()?.role === 'learner')
      channel?.send({ type: 'check', lesson, passed: true });
  });

  document.addEventListener(MEMBERSHIP_EVENT, render);
  render();
}
