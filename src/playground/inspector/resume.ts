/**
 * EventSource resuming, across connections: a reconnect's `Last-Event-ID` names the last event
 * the browser *dispatched* (WHATWG HTML §9.2.4, "last event ID string"), which is not always
 * the last one that crossed the wire. Chromium reads the body in pieces; when the cut (a FIN
 * with no last chunk) arrives in the same read as the final events, the read fails and its data
 * is thrown away, so those events never fire and the next request names an earlier id. This
 * finds that in the capture: the same id on two connections, and the events in between. When
 * every event with an id came in that read, the reconnect carries no `Last-Event-ID` at all —
 * which on the wire looks the same as a new EventSource (it starts with no id), so the panel
 * says both.
 */
import type { Field } from '../../wire/bytes.ts';
import type { Connection } from './model.ts';
import type { Strings } from './strings.ts';

interface SseItem extends Field {
  kind: 'sse-event';
  dispatched: boolean;
  lastEventId: string;
}

export interface Resume {
  /** The connection whose request carried `Last-Event-ID`. */
  next: Connection;
  /** The earlier connection where an event with that id arrived. */
  prev: Connection;
  /** The `Last-Event-ID` sent; empty when none was, after a cut stream whose events had ids. */
  id: string;
  /**
   * Ids of events after it on `prev` that crossed the wire but were never dispatched (with no
   * `Last-Event-ID`: every id `prev` carried, which the browser dispatched none of, if `next` is
   * its own reconnect).
   */
  discarded: string[];
}

/** The `Last-Event-ID` a connection's request sent, if any (the first response's, as paired by the dissector). */
function resumedAfter(c: Connection): string | undefined {
  for (const item of c.items) {
    if (item.kind !== 'http-response') continue;
    const id = (item as { requestLastEventId?: string }).requestLastEventId;
    return id === undefined || id === '' ? undefined : id;
  }
  return undefined;
}

/** The dispatched events of a connection, in order. */
function eventsOf(c: Connection): SseItem[] {
  return c.items.filter((f): f is SseItem => f.kind === 'sse-event' && (f as SseItem).dispatched);
}

/**
 * The resume that `c` took part in: as the reconnect (its `Last-Event-ID` matched an event of
 * an earlier connection), or as the connection that was resumed from. Undefined when neither.
 */
export function resumeOf(conns: readonly Connection[], c: Connection): Resume | undefined {
  const asNext = resumeFrom(conns, c);
  if (asNext) return asNext;
  for (const later of conns) {
    if (later.index <= c.index) continue;
    const r = resumeFrom(conns, later);
    if (r?.prev === c) return r;
    if (r) return undefined; // the first reconnect after c resumed from another connection
  }
  return undefined;
}

/** The first response of a connection, as the dissector paired it. */
function responseOf(c: Connection): { complete?: boolean } | undefined {
  return c.items.find((f) => f.kind === 'http-response') as { complete?: boolean } | undefined;
}

/**
 * A request with no `Last-Event-ID` after a stream to the same URL that was cut (closed with its
 * response incomplete) and carried events with ids, itself sent without one.
 */
function resumeWithout(conns: readonly Connection[], next: Connection): Resume | undefined {
  const path = next.summary().path;
  if (path === undefined || next.summary().technique !== 'sse') return undefined;
  for (let i = conns.length - 1; i >= 0; i--) {
    const prev = conns[i]!;
    if (prev.index >= next.index || prev.summary().path !== path) continue;
    if (!prev.closed || responseOf(prev)?.complete !== false || resumedAfter(prev) !== undefined)
      return undefined;
    const ids = [...new Set(eventsOf(prev).map((e) => e.lastEventId))].filter((id) => id !== '');
    return ids.length > 0 ? { next, prev, id: '', discarded: ids } : undefined;
  }
  return undefined;
}

function resumeFrom(conns: readonly Connection[], next: Connection): Resume | undefined {
  const id = resumedAfter(next);
  if (id === undefined) return resumeWithout(conns, next);
  for (let i = conns.length - 1; i >= 0; i--) {
    const prev = conns[i]!;
    if (prev.index >= next.index) continue;
    const events = eventsOf(prev);
    const at = events.findLastIndex((e) => e.lastEventId === id);
    if (at < 0) continue;
    const discarded: string[] = [];
    for (const e of events.slice(at + 1)) if (e.lastEventId !== id) discarded.push(e.lastEventId);
    return { next, prev, id, discarded };
  }
  return undefined;
}

/** What the panel says about a resume, seen from connection `c` (either side of it). */
export function resumeNotes(r: Resume, c: Connection, t: Strings): string[] {
  const ids = r.discarded.join(', ');
  if (r.id === '')
    return c === r.next
      ? [t('inspector.resume.none', { n: r.prev.index, ids })]
      : [t('inspector.resume.prevNone', { n: r.next.index, ids })];
  if (c === r.next) {
    const notes = [t('inspector.resume.next', { id: r.id, n: r.prev.index })];
    if (r.discarded.length > 0)
      notes.push(t('inspector.resume.discarded', { id: r.id, n: r.prev.index, ids }));
    return notes;
  }
  return r.discarded.length > 0
    ? [t('inspector.resume.prev', { id: r.id, n: r.next.index, ids })]
    : [t('inspector.resume.prevWhole', { id: r.id, n: r.next.index })];
}
