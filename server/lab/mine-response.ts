/**
 * Writes a learner's handler's output onto the real response, framed as HTTP/1.1 says from what
 * the handler did (RFC 9112 §6):
 *
 * - `end()` with no `flush()` before it: the whole body is known, so `Content-Length` (§6.2);
 * - a `flush()` before `end()`: the length is not known when the head goes, so
 *   `Transfer-Encoding: chunked` (§7.1), one chunk per flush;
 * - an HTTP/1.0 client cannot read chunks: the body ends when the connection closes (§6.3 rule 8);
 *   Node does this by itself for a 1.0 request.
 *
 * The response also stays inside the lab's bounds: a reader `maxBufferedBytes` behind is cut, and
 * a response open `maxStreamMs` is ended.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Sink } from '../sandbox/pool.ts';
import { answerText } from './answer.ts';
import { bound } from './bounds.ts';
import { allowAnyOrigin } from './cors.ts';
import type { LabRuntime } from './request.ts';

/** The sink for one request to a learner's handler; `done` runs once when it is over. */
export function responseSink(res: ServerResponse, socket: Socket, lab: LabRuntime): Sink {
  const { cfg } = lab;
  const head = (status: number, headers: Array<[string, string]>): void => {
    for (const [name, value] of headers) res.setHeader(name, value);
    res.statusCode = status;
  };
  const lifetime = setTimeout(() => {
    lab.note(socket, `${bound(cfg, 'maxStreamMs')} reached — response ended`);
    if (res.headersSent) res.end();
    else answerText(res, 500, `${bound(cfg, 'maxStreamMs')} reached: your handler did not answer in time.`);
  }, cfg.maxStreamMs);
  res.once('close', () => clearTimeout(lifetime));
  const behind = (): void => {
    if (res.writableLength <= cfg.maxBufferedBytes) return;
    lab.note(socket, `${bound(cfg, 'maxBufferedBytes')} reached — the reader fell behind, connection cut`);
    res.destroy();
  };

  /** Runs `write`; if Node refuses what the handler asked for, the request fails instead of the server. */
  const guarded =
    <A extends unknown[]>(write: (...args: A) => void) =>
    (...args: A): void => {
      try {
        write(...args);
      } catch (err) {
        sink.fail(`Your handler's response could not be sent: ${(err as Error).message}`);
      }
    };
  const sink: Sink = {
    flush: guarded((status: number, headers: Array<[string, string]>, chunk: Buffer) => {
      if (res.writableEnded || res.destroyed) return;
      if (!res.headersSent) {
        head(status, headers);
        if (chunk.length === 0) res.flushHeaders(); // the head alone goes out now
      }
      if (chunk.length > 0) res.write(chunk); // one write, one chunk
      behind();
    }),
    end: guarded((status: number, headers: Array<[string, string]>, chunk: Buffer) => {
      if (res.writableEnded || res.destroyed) return;
      if (!res.headersSent) {
        head(status, headers);
        // 204 and 304 carry no body, so no length either (RFC 9110 §8.6).
        if (status !== 204 && status !== 304) res.setHeader('Content-Length', chunk.length);
      }
      res.end(chunk);
    }),
    fail(text) {
      lab.note(socket, text);
      if (res.writableEnded || res.destroyed) return;
      // Nothing sent yet: a 500 that says why. A stream under way: cut, so the reader sees it break
      // (no last chunk) rather than a clean end it would take for success.
      if (res.headersSent) {
        res.destroy();
        return;
      }
      allowAnyOrigin(res); // the server's own answer: the learner's page may read it
      answerText(res, 500, text);
    },
  };
  return sink;
}
