/**
 * The class channel from the browser: one WebSocket per page to `/class/<code>/ws`, saying hello
 * with this page's role, lab session and lesson, and reconnecting after a drop. Close codes say
 * when not to: 4404 (no such class), 4410 (the class ended), 1008 for a key or token the class
 * does not know; the membership is then forgotten.
 */
import { createBackoff } from '../playground/backoff.ts';
import { showsHandIn } from '../playground/run-session.ts';
import { sessionId } from '../playground/session.ts';
import { loadMembership, type Membership, saveMembership } from './membership.ts';

export type ChannelState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'gone';

/** A message from the server: `{ type, … }` (docs/classroom.md). */
export type ServerMessage = { type: string } & Record<string, unknown>;

/** What the server holds a page to, from its welcome (docs/classroom.md): bytes of text, and of one frame. */
export interface ChannelLimits {
  messageBytes: number;
  frameBytes: number;
}

/** The welcome's `limits`, when it has them (a server from before them does not). */
function readLimits(value: unknown): ChannelLimits | null {
  const v = value as Partial<ChannelLimits> | null | undefined;
  const ok = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
  return v && ok(v.messageBytes) && ok(v.frameBytes)
    ? { messageBytes: v.messageBytes as number, frameBytes: v.frameBytes as number }
    : null;
}

/** The lesson this page shows (its slug), or null. */
export function pageLesson(): string | null {
  return document.querySelector<HTMLElement>('.lesson-page[data-lesson]')?.dataset.lesson ?? null;
}

export class ClassChannel extends EventTarget {
  readonly membership: Membership;
  state: ChannelState = 'connecting';
  /** The code the last socket closed with (1009: a message of ours was over the server's maxPayload). */
  closeCode = 0;
  /** The last welcome's limits; null before one, or when the server named none. */
  limits: ChannelLimits | null = null;
  private ws: WebSocket | null = null;
  /** A whole class reconnects at once after a restart: jittered waits spread it (backoff.ts). */
  private readonly backoff = createBackoff({ baseMs: 1_000, capMs: 15_000 });
  private timer = 0;
  private stopped = false;

  constructor(membership: Membership) {
    super();
    this.membership = membership;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Closes the socket and stays closed. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
  }

  /** Sends a message when live; false otherwise. */
  send(message: { type: string } & Record<string, unknown>): boolean {
    if (this.state !== 'live' || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Calls `fn` with each message of `type` (every message with '*'). */
  on(type: string, fn: (m: ServerMessage) => void): void {
    this.addEventListener('message', (event) => {
      const m = (event as CustomEvent<ServerMessage>).detail;
      if (type === '*' || m.type === type) fn(m);
    });
  }

  /** Calls `fn` now and at each change of state. */
  onState(fn: (state: ChannelState, reason: string) => void): void {
    fn(this.state, '');
    this.addEventListener('state', (event) => fn(this.state, (event as CustomEvent<string>).detail));
  }

  private setState(state: ChannelState, reason = ''): void {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: reason }));
  }

  private connect(): void {
    const m = this.membership;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/class/${encodeURIComponent(m.code)}/ws`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      const secret = m.role === 'teacher' ? { key: m.key } : { token: m.token };
      ws.send(
        JSON.stringify({
          type: 'hello',
          role: m.role,
          ...secret,
          // A page showing a hand-in runs it in a session of its own, never bound to the class: it binds
          // no tab either, so opening many hand-ins does not unbind the teacher's projector tab.
          ...(showsHandIn() ? {} : { session: sessionId() }),
          lesson: pageLesson(),
        }),
      );
    });
    ws.addEventListener('message', (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'welcome') {
        this.limits = readLimits(message.limits);
        this.backoff.reset();
        this.setState('live');
      }
      this.dispatchEvent(new CustomEvent('message', { detail: message }));
    });
    ws.addEventListener('close', (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.closeCode = event.code;
      if (this.stopped) return;
      const forget =
        event.code === 4404 ||
        event.code === 4410 ||
        (event.code === 1000 && event.reason === 'left the class') ||
        (event.code === 1008 && /^(wrong teacher key|unknown learner)/.test(event.reason));
      if (forget) {
        this.stopped = true;
        this.setState(event.code === 4410 ? 'ended' : 'gone', event.reason);
        if (sameClass(loadMembership(), m)) saveMembership(null);
        return;
      }
      this.setState('reconnecting', event.reason);
      this.timer = window.setTimeout(() => this.connect(), this.backoff.next());
    });
  }
}

function sameClass(a: Membership | null, b: Membership): boolean {
  return a !== null && a.code === b.code && a.role === b.role;
}

let current: ClassChannel | null = null;

/** The channel of the class this browser is in (started on first use), or null when in none. */
export function currentChannel(): ClassChannel | null {
  const m = loadMembership();
  if (!m) {
    current?.stop();
    current = null;
    return null;
  }
  if (
    current &&
    sameClass(m, current.membership) &&
    (current.state === 'live' || current.state === 'connecting' || current.state === 'reconnecting')
  )
    return current;
  current?.stop();
  current = new ClassChannel(m);
  current.start();
  return current;
}
