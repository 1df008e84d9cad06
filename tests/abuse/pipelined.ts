/**
 * Many requests as fast as the bytes go: each socket writes its share of the requests pipelined
 * (HTTP/1.1 keep-alive) and reads the answers back in order. A flood from one address, or, with
 * `localAddress` (any of 127/8 on Linux), from another.
 */
import net from 'node:net';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends GET `paths` over `sockets` connections, pipelined; resolves every answer, in order of `paths`. */
export async function pipelined(
  port: number,
  paths: readonly string[],
  { sockets = 8, localAddress = '127.0.0.1', headers = {} as Record<string, string> } = {},
): Promise<Answer[]> {
  const answers: Answer[] = new Array(paths.length);
  const lanes = Array.from({ length: sockets }, (_, lane) =>
    paths.map((p, i) => [i, p] as const).filter(([i]) => i % sockets === lane),
  );
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  await Promise.all(
    lanes.map(async (lane) => {
      if (lane.length === 0) return;
      const got = await exchange(
        port,
        localAddress,
        lane.map(([, p]) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`).join(''),
        lane.length,
      );
      lane.forEach(([i], k) => {
        answers[i] = got[k] as Answer;
      });
    }),
  );
  return answers;
}

/** Writes `text` on one connection and parses `count` answers (Content-Length bodies). */
function exchange(port: number, localAddress: string, text: string, count: number): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    let buffer = Buffer.alloc(0);
    const out: Answer[] = [];
    socket.on('error', reject);
    socket.on('close', () => {
      if (out.length < count) reject(new Error(`closed after ${out.length} of ${count} answers`));
    });
    socket.on('data', (d: Buffer) => {
      buffer = Buffer.concat([buffer, d]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) break;
        const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const fields: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const colon = line.indexOf(':');
          fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(fields['content-length'] ?? 0);
        if (buffer.length < end + 4 + length) break;
        const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
        buffer = buffer.subarray(end + 4 + length);
        out.push({ status: Number(head[0]?.split(' ')[1]), headers: fields, body });
        if (out.length === count) {
          socket.destroy();
          resolve(out);
          return;
        }
      }
    });
    socket.write(text);
  });
}

/** How many answers had each status: `{ 200: 2080, 429: 20 }`. */
export function statusCounts(answers: readonly Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

/** A fresh made-up id of `prefix` and 24 hex digits: a session id or a room code. */
export function madeUp(prefix: string): string {
  return `${prefix}${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
}
