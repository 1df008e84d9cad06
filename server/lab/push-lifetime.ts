/**
 * What a pushed response (push-response.ts) and a pushed WebSocket (push-socket.ts) share: each
 * is open until it ends, however it ends — the handler ends it, the reader goes away or falls too
 * far behind, the server shuts down, `maxStreamMs` passes — and what waits for that end runs once.
 *
 * How long a push may live depends on its session (docs/lab-api.md, "How long a connection
 * lives"). A session bound to a class room (`lab.bindRoom`) belongs to a learner in a class: its
 * pushes have no message count and no lifetime, and live as long as their page reads them (a reader
 * that falls `maxBufferedBytes` behind is cut; the lab pings WebSockets to find dead peers). Any
 * other session is anonymous, and its pushes end at `maxStreamMessages` or `maxStreamMs`.
 */
import type { LabRuntime } from './request.ts';
import type { Session } from './sessions.ts';

export interface PushLifetime {
  /** False once over. */
  readonly open: boolean;
  /** Marks it over: stops the timers, runs the `onClose` functions. Returns false if it already was. */
  finish(): boolean;
  /** Runs `fn` once when it is over (at once if it is). */
  onClose(fn: () => void): void;
}

/**
 * True when a push opened now for `session` ends at `maxStreamMessages` / `maxStreamMs`: false
 * for a session bound to a class room. Decided when the push opens: a stream opened in a class
 * keeps living if the class ends, as it keeps reading the room it opened on.
 */
export function isCapped(session: Session): boolean {
  return session.defaultRoom === null;
}

/**
 * Starts the lifetime of one push: at shutdown it calls `shutdown`, and, for a capped push
 * (`isCapped`), `expire` after `maxStreamMs` (each ends the push its own way and calls `finish`).
 */
export function startLifetime(
  lab: LabRuntime,
  capped: boolean,
  expire: () => void,
  shutdown: () => void,
): PushLifetime {
  let open = true;
  const closers: Array<() => void> = [];
  const lifetime = capped ? setTimeout(expire, lab.cfg.maxStreamMs) : undefined;
  const unregister = lab.onShutdown(shutdown);
  return {
    get open() {
      return open;
    },
    finish() {
      if (!open) return false;
      open = false;
      clearTimeout(lifetime);
      unregister();
      for (const fn of closers.splice(0)) fn();
      return true;
    },
    onClose(fn) {
      if (open) closers.push(fn);
      else fn();
    },
  };
}
