/**
 * Faults on demand, for teaching what clients must survive: `drop=N`, `delay=MS`, `status=CODE`,
 * `buffer=1`. They work on every endpoint; this file applies the ones that act before the
 * handler runs, and says in the inspector which one was applied.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.ts';
import { answerText, refuseUpgrade } from './answer.ts';
import { int, MAX_INT } from './query.ts';
import type { LabRuntime } from './request.ts';

export interface Faults {
  /** Cut the TCP connection (socket.destroy(), no proper end) after this many messages. */
  readonly drop?: number;
  /** Wait this many ms before the first byte. */
  readonly delay?: number;
  /** Answer this status instead of running the endpoint (200: no fault). */
  readonly status?: number;
  /** Hold the whole response and send it in one write, with Content-Length, at the end. */
  readonly buffer: boolean;
}

/** The fault options every endpoint accepts. */
export function faultOptions(cfg: Config) {
  return {
    drop: int(0, MAX_INT),
    delay: int(0, cfg.maxDelayMs),
    status: int(200, 599),
    buffer: int(0, 1),
  };
}

/** Where a fault acts: an HTTP response, or a WebSocket handshake not yet answered. */
export type FaultTarget =
  | { kind: 'http'; res: ServerResponse; socket: Socket; oneShot: boolean }
  | { kind: 'upgrade'; socket: Socket };

/**
 * Applies `delay`, then `drop=0` and `status`, then calls `start()` unless one of them answered.
 * For a one-shot answer, `drop=N` (N ≥ 1) cuts the connection right after it instead of keeping
 * it alive; streams count their messages themselves (push-response.ts, push-socket.ts).
 */
export function withFaults(target: FaultTarget, faults: Faults, lab: LabRuntime, start: () => void): void {
  const { socket } = target;
  const afterDelay = (): void => {
    if (socket.destroyed) return;
    if (faults.drop === 0) {
      lab.note(socket, 'fault: drop=0 — connection cut before any answer');
      socket.destroy();
      return;
    }
    if (faults.status !== undefined && faults.status !== 200) {
      const why = `fault: status=${faults.status} asked for in the query — no real error happened`;
      lab.note(socket, why);
      if (target.kind === 'http') answerText(target.res, faults.status, why);
      else refuseUpgrade(socket, faults.status, why);
      return;
    }
    if (target.kind === 'http' && target.oneShot && faults.drop !== undefined) {
      const drop = faults.drop;
      target.res.once('finish', () => {
        lab.note(socket, `fault: drop=${drop} — connection cut after the answer`);
        socket.destroy();
      });
    }
    if (faults.buffer) lab.note(socket, 'fault: buffer=1 — the whole response is held until its end');
    start();
  };
  if (!faults.delay) {
    afterDelay();
    return;
  }

  lab.note(socket, `fault: delay=${faults.delay} — waiting ${faults.delay} ms before the first byte`);
  const timer = setTimeout(() => {
    stopWaiting();
    afterDelay();
  }, faults.delay);
  const onClose = (): void => stopWaiting();
  const unregister = lab.onShutdown(() => {
    stopWaiting();
    if (target.kind === 'http')
      answerText(target.res, 503, 'The server is shutting down; try again in a moment.');
    else refuseUpgrade(socket, 503, 'The server is shutting down; try again in a moment.');
  });
  function stopWaiting(): void {
    clearTimeout(timer);
    socket.off('close', onClose);
    unregister();
  }
  socket.once('close', onClose);
}
