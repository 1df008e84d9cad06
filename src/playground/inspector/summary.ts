/**
 * What the connection list says about a connection in a word or two: its technique,
 * its path as the learner wrote it, and how it ended.
 */
import type { Field } from '../../wire/bytes.ts';
import { formatBytes } from './format.ts';
import type { Connection } from './model.ts';
import type { Strings } from './strings.ts';

export type Technique = 'http' | 'poll' | 'long-poll' | 'stream' | 'sse' | 'websocket';

const TECHNIQUES = new Set<Technique>(['http', 'poll', 'long-poll', 'stream', 'sse', 'websocket']);
/** Names other parts of the project use for the same things. */
const ALIASES: Record<string, Technique> = {
  polling: 'poll',
  'short-poll': 'poll',
  longpoll: 'long-poll',
  'long-polling': 'long-poll',
  comet: 'stream',
  streaming: 'stream',
  'http-stream': 'stream',
  'event-stream': 'sse',
  ws: 'websocket',
  basics: 'http',
};

/** The connection's technique badge, from the dissector's summary; undefined before it knows. */
export function techniqueOf(c: Connection): Technique | undefined {
  const raw = c.summary().technique?.toLowerCase();
  if (!raw) return undefined;
  if (TECHNIQUES.has(raw as Technique)) return raw as Technique;
  return ALIASES[raw];
}

/** The path as the learner's code wrote it: `/lab/<session>/sse?n=3` → `sse?n=3`. */
export function pathOf(path: string | undefined, session: string): string {
  if (!path) return '';
  const prefix = `/lab/${session}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) || '/' : path;
}

/** How long the connection has lived (µs): to its close, or to `now` while it is open. */
export function durationOf(c: Connection, now: number): number {
  return c.closed ? c.duration : Math.max(c.lastT, now) - (c.openT ?? c.firstT);
}

export interface Ending {
  /** CSS hook: open, fin, reset, ws-close (plus "noted" when the lab left a note). */
  kind: string;
  /** A few characters for the list: "FIN", "RST", "1000". */
  short: string;
  /** A sentence for the tooltip and screen readers. */
  long: string;
}

/** How the connection ended (or that it is open), with the WebSocket close code and lab notes. */
export function endingOf(c: Connection, t: Strings): Ending {
  const notes = c.notes.filter((n) => n.kind === 'note').map((n) => t.wire(n.text));
  const close = wsCloseCode(c.items);
  let e: Ending;
  if (!c.closed) {
    e = { kind: 'open', short: t('inspector.state.open'), long: t('inspector.state.open.long') };
  } else {
    const how = c.closed.how;
    e = { kind: how, short: t(`inspector.state.${how}`), long: closedSentence(c, t) };
  }
  if (close !== undefined) {
    e = {
      kind: c.closed ? 'ws-close' : e.kind,
      short: c.closed ? String(close) : e.short,
      long: `${t('inspector.state.wsclose', { code: close })} ${e.long}`,
    };
  }
  if (notes.length > 0) e = { ...e, kind: `${e.kind} noted`, long: `${e.long} ${notes.join(' ')}` };
  return e;
}

/** What TCP did at the end and who started it, as a sentence (the same words go into the HAR). */
export function closedSentence(c: Connection, t: Strings): string {
  const closed = c.closed;
  if (!closed) return t('inspector.state.open.long');
  const error = closed.error ?? '';
  let s: string;
  if (closed.how === 'reset') {
    if (closed.by === 'client') s = t('inspector.end.reset.client', { error: error || 'ECONNRESET' });
    else if (closed.cause === 'unread')
      s = t('inspector.end.reset.unread', { bytes: formatBytes(closed.unread ?? 0) });
    else s = t('inspector.end.reset.server');
  } else if (closed.by === 'client') {
    s = t('inspector.end.fin.peer');
  } else {
    const cause = closed.cause;
    if (cause === 'destroy' || cause === 'timeout') s = t(`inspector.end.fin.${cause}`);
    else if (cause === 'error') s = t('inspector.end.fin.error', { error });
    else if (cause === 'end' && !closed.unseen) s = t('inspector.end.fin.end');
    else s = t('inspector.state.fin.long', { by: t('inspector.by.server') });
  }
  if (closed.unseen && closed.how === 'fin' && closed.by === 'server') s += ` ${t('inspector.end.unseen')}`;
  return s;
}

/**
 * The close code of the first WebSocket Close frame (RFC 6455 §5.5.1) among the last items:
 * Close frames end a connection, so there is no need to look further back.
 */
function wsCloseCode(items: readonly Field[]): number | undefined {
  let code: number | undefined;
  for (let i = items.length - 1; i >= 0 && i >= items.length - 8; i--) {
    const item = items[i]!;
    if (item.kind !== 'ws-frame' || (item as { opcode?: unknown }).opcode !== 8) continue;
    const f = find(item, 'ws-close-code');
    if (f?.value !== undefined && Number.isFinite(Number(f.value))) code = Number(f.value);
  }
  return code;
}

function find(f: Field, kind: string): Field | undefined {
  if (f.kind === kind) return f;
  for (const c of f.children ?? []) {
    const hit = find(c, kind);
    if (hit) return hit;
  }
  return undefined;
}
