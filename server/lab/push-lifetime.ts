/**
 * What a pushed response (push-response.ts) and a pushed WebSocket (push-socket.ts) share: each
 * is open until it ends, however it ends — the handler ends it, the reader goes away, the server
 * shuts down, `maxStreamMs` passes — and what waits for that end runs once.
 */
import type { LabRuntime } from './request.ts';

export interface PushLifetime {
  /** False once over. */
  readonly open: boolean;
  /** Marks it over: stops the timers, runs the `onClose` functions. Returns false if it already was. */
  finish(): boolean;
  /** Runs `fn` once when it is over (at once if it is). */
  onClose(fn: () => void): void;
}

/**
 * Starts the lifetime of one push: after `maxStreamMs` it calls `expire`, at shutdown `shutdown`
 * (each of which ends the push its own way and calls `finish`).
 */
export function startLifetime(lab: LabRuntime, expire: () => void, shutdown: () => void): PushLifetime {
  let open = true;
  const closers: Array<() => void> = [];
  const lifetime = setTimeout(expire, lab.cfg.maxStreamMs);
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
