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
    step: 'fetch-reader',
    check: (wire) => {
      const x = streams(wire).find((s) => s.query.split !== undefined);
      if (!x)
        return fail(
          'Expected a GET stream with split= answered 200: keep split=random in the URL, it is what cuts the stream anywhere.',
          '应有一个带 split= 且以 200 应答的 GET stream：请在 URL 里保留 split=random，正是它把流切在任意位置。',
        );
      const lines = texts(x);
      if (x.framing !== 'chunked' || !x.complete || lines.length < 9)
        return fail(
          `Expected the whole stream: its 9 messages and the final 0-size chunk; got ${lines.length} messages${x.complete ? '' : ', not ended'}. Let the run go on for about 10 s.`,
          `应收到完整的流：9 条消息和最后的长度为 0 的块；实际收到 ${lines.length} 条消息${x.complete ? '' : '，且流没有结束'}。请让程序运行约 10 秒。`,
        );
      // The lesson's point: chunks that are not lines. Without more chunks than lines, nothing was cut.
      if (x.chunks <= lines.length)
        return fail(
          `The stream came in ${x.chunks} chunks for ${lines.length} lines: nothing was cut. Keep split=random in the URL.`,
          `这个流的 ${lines.length} 行只分成了 ${x.chunks} 个块：没有被切开。请在 URL 里保留 split=random。`,
        );
      if (wire.console.some((c) => c.text.includes('\uFFFD')))
        return fail(
          'The console shows "\uFFFD": a character was cut between two reads and each half was decoded on its own. Decode the whole stream with one TextDecoder and { stream: true }.',
          '控制台里出现了“\uFFFD”：一个字符被切在两次读取之间，两半被分别解码了。请整条流只用一个 TextDecoder，并传入 { stream: true }。',
        );
      for (const text of lines) {
        // "message 1" but not "message 10": the text followed by no further digit.
        const pattern = new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\d)`);
        const shown = wire.console.filter((c) => pattern.test(c.text)).length;
        if (shown === 0)
          return fail(
            `"${text}" never shows whole in the console. A read can end in the middle of a line: keep the unfinished end of what you read and put the next read after it, then log the text of each complete line.`,
            `控制台里始终没有完整地出现“${text}”。一次读取可能停在一行的中间：请把读到的未完成部分留下来，接在下一次读取的前面，再打印每个完整行的 text。`,
          );
        if (shown > 1)
          return fail(
            `"${text}" shows in ${shown} console lines: log each complete line once.`,
            `“${text}”出现在 ${shown} 行控制台输出里：每个完整的行只打印一次。`,
          );
      }
      return true;
    },
  },
});
