/**
 * Reading a request body without trusting its size: stop at the limit, whatever Content-Length
 * says (a chunked body has none).
 */
import type { IncomingMessage } from 'node:http';

/**
 * Reads the whole body of `req` if it is at most `limit` bytes; resolves null as soon as it is
 * larger (the rest is read and thrown away, so the answer can still be sent). Rejects if the
 * client goes away mid-body.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('The client closed the connection before the body ended.'));
    });
  });
}
