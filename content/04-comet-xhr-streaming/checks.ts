import type { HttpExchange, Verdict, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

const streams = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter((x) => x.endpoint === 'stream' && x.method === 'GET' && x.status === 200);

/** The `text` of each JSON line of a classic stream body. */
function texts(x: HttpExchange): string[] {
  const out: string[] = [];
  for (const line of x.responseBody.split('\n')) {
    try {
      const value = JSON.parse(line) as { text?: unknown };
      if (typeof value.text === 'string') out.push(value.text);
    } catch {
      // not a whole JSON line (the end of a body cut short)
    }
  }
  return out;
}

/** A complete chunked stream: one chunk per message, 9 of them with the defaults, and the last chunk. */
function chunkedStream(wire: WireFacts): Verdict {
  const x = streams(wire).find((s) => s.query.buffer !== '1');
  if (!x)
    return fail(
      'Expected a GET stream answered 200. Run the step.',
      '应有一个以 200 应答的 GET stream。请运行这一步。',
    );
  if (x.framing !== 'chunked')
    return fail(
      'The stream should arrive with Transfer-Encoding: chunked.',
      '这个流应以 Transfer-Encoding: chunked 到达。',
    );
  if (!x.complete || x.chunks < 9)
    return fail(
      `Expected the whole stream (9 chunks and the final 0-size chunk); got ${x.chunks} chunks${x.complete ? '' : ', not ended'}. Let the run go on for about 9 s.`,
      `应收到完整的流（9 个块和最后的长度为 0 的块）；实际收到 ${x.chunks} 个块${x.complete ? '' : '，且流没有结束'}。请让程序运行约 9 秒。`,
    );
  return true;
}

export default defineChecks({
  traffic: {
    'xhr-stream': chunkedStream,
    'jquery-success': chunkedStream,
    'fetch-reader': chunkedStream,
    buffered: (wire) => {
      const x = streams(wire).find((s) => s.query.buffer === '1');
      if (!x)
        return fail(
          'Expected a GET stream?buffer=1 answered 200.',
          '应有一个以 200 应答的 GET stream?buffer=1。',
        );
      // The buffering pitfall: one write at the end, with Content-Length, no chunks.
      if (x.framing !== 'length' || x.responseHeaders['content-length'] === undefined)
        return fail(
          'With buffer=1 the answer should carry Content-Length, not chunked encoding.',
          '带 buffer=1 时，应答应带 Content-Length，而不是分块传输编码。',
        );
      if (!x.complete || texts(x).length < 9)
        return fail(
          'Expected all 9 messages in the one buffered answer.',
          '这一个缓冲后的应答里应有全部 9 条消息。',
        );
      return true;
    },
  },
  exercise: {
    step: 'xhr-stream',
    check: (wire) => {
      const ok = chunkedStream(wire);
      if (ok !== true) return ok;
      const x = streams(wire).find((s) => s.query.buffer !== '1')!;
      for (const text of texts(x)) {
        // "message 1" but not "message 10": the text followed by no further digit.
        const pattern = new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\d)`);
        const lines = wire.console.filter((c) => pattern.test(c.text)).length;
        if (lines === 0)
          return fail(
            `"${text}" never shows in the console: log the text of each new line as it arrives.`,
            `控制台里始终没有出现“${text}”：每收到一行新内容，就把它的 text 打印出来。`,
          );
        if (lines > 1)
          return fail(
            `"${text}" shows in ${lines} console lines: responseText keeps everything received so far. Remember where you stopped and log only what came after.`,
            `“${text}”出现在 ${lines} 行控制台输出里：responseText 会保留到目前为止收到的全部内容。请记住上次读到哪里，只打印之后的部分。`,
          );
      }
      return true;
    },
  },
});
