import type { HttpExchange, Verdict, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** The learner's handler answering `GET mine/<path>` with 200. */
const answers = (wire: WireFacts, path: string): HttpExchange | undefined =>
  wire.exchanges.find((x) => x.endpoint === `mine/${path}` && x.method === 'GET' && x.status === 200);

/** The `text` of each JSON line of a body (or of one chunk). */
function texts(body: string): string[] {
  const out: string[] = [];
  for (const line of body.split('\n')) {
    try {
      const value = JSON.parse(line) as { text?: unknown };
      if (typeof value.text === 'string') out.push(value.text);
    } catch {
      // not a whole JSON line
    }
  }
  return out;
}

const noAnswer = (path: string): Verdict =>
  fail(
    `Expected GET mine/${path} answered 200 by your handler. Run the step; if the console says your server did not start, fix the line it names.`,
    `应有一个由你的处理程序以 200 应答的 GET mine/${path}。请运行这一步；如果控制台说你的服务器没有启动，先改好它指出的那一行。`,
  );

/** Step 1: nine messages, each flushed as a chunk of its own, then the last chunk. */
function flushedLoop(wire: WireFacts): Verdict {
  const x = answers(wire, 'loop');
  if (!x) return noAnswer('loop');
  if (x.framing !== 'chunked')
    return fail(
      'The answer should arrive with Transfer-Encoding: chunked: call res.flush() after each res.write().',
      '应答应以 Transfer-Encoding: chunked 到达：每次 res.write() 之后都调用 res.flush()。',
    );
  if (!x.complete || x.chunks < 9)
    return fail(
      `Expected the whole stream: 9 chunks and the last, zero-size one; got ${x.chunks} chunks${x.complete ? '' : ', not ended'}. Let the run go on for about 9 s.`,
      `应收到完整的流：9 个块和最后那个长度为 0 的块；实际收到 ${x.chunks} 个块${x.complete ? '' : '，且流没有结束'}。请让程序运行约 9 秒。`,
    );
  return true;
}

/** Step 2: the same loop unflushed: one late body with Content-Length. */
function lateDownload(wire: WireFacts): Verdict {
  const x = answers(wire, 'loop');
  if (!x) return noAnswer('loop');
  if (x.framing !== 'length' || x.responseHeaders['content-length'] === undefined)
    return fail(
      'Without res.flush() the answer should carry Content-Length and no chunks: take the flush out of the loop.',
      '不调用 res.flush() 时，应答应带 Content-Length，而不是分块：把循环里的冲刷去掉。',
    );
  if (!x.complete || texts(x.responseBody).length < 9)
    return fail(
      'Expected all 9 messages in the one late body. Let the run go on for about 9 s.',
      '这一个迟到的消息体里应有全部 9 条消息。请让程序运行约 9 秒。',
    );
  return true;
}

/** A countdown from `from`: "5", "4", … "1", "liftoff". */
const countdown = (from: number): string[] => [
  ...Array.from({ length: from }, (_, i) => String(from - i)),
  'liftoff',
];

/** Gaps shorter than this between two lines are not "one a second" (server µs; timers never fire early). */
const MIN_GAP_US = 800_000;

export default defineChecks({
  traffic: {
    'flush-loop': flushedLoop,
    'no-flush': lateDownload,
    countdown: (wire) => {
      const x = answers(wire, 'countdown');
      if (!x) return noAnswer('countdown');
      if (texts(x.responseBody).length === 0)
        return fail(
          'Your handler answered, but with no JSON line: write at least the first number.',
          '你的处理程序应答了，但没有一行 JSON：至少写出第一个数。',
        );
      return true;
    },
  },
  exercise: {
    step: 'countdown',
    check: (wire) => {
      const x = answers(wire, 'countdown');
      if (!x) return noAnswer('countdown');
      const from = Number(x.query.from);
      if (!Number.isInteger(from) || from < 1 || from > 20)
        return fail(
          `The page should ask for mine/countdown?from=5 (a whole number from 1 to 20); it asked with from=${x.query.from ?? 'nothing'}.`,
          `页面应请求 mine/countdown?from=5（1 到 20 之间的整数）；实际请求的 from=${x.query.from ?? '（没有）'}。`,
        );
      const want = countdown(from);
      if (x.framing !== 'chunked')
        return fail(
          `Your answer came in one piece with ${x.framing === 'length' ? 'Content-Length' : 'no chunks'}: nothing was flushed before res.end(). Call res.flush() after writing each line.`,
          `你的应答是一整块到达的（${x.framing === 'length' ? '带 Content-Length' : '没有分块'}）：res.end() 之前什么都没有冲刷。每写一行就调用一次 res.flush()。`,
        );
      const chunks = x.chunkData ?? [];
      const got = chunks.flatMap((c) => texts(c.text));
      for (const [i, c] of chunks.entries()) {
        const lines = texts(c.text).length;
        if (lines !== 1)
          return fail(
            `Chunk ${i + 1} carries ${lines} lines: flush after each line, so each one leaves as a chunk of its own.`,
            `第 ${i + 1} 个块里有 ${lines} 行：每写一行就冲刷一次，让每一行单独成为一个块。`,
          );
      }
      if (got.join(',') !== want.slice(0, got.length).join(',') || (x.complete && got.length !== want.length))
        return fail(
          `Expected the lines ${want.map((t) => `"${t}"`).join(', ')}; got ${got.map((t) => `"${t}"`).join(', ') || 'none'}.`,
          `应依次收到 ${want.map((t) => `"${t}"`).join('、')}；实际收到 ${got.map((t) => `"${t}"`).join('、') || '（没有）'}。`,
        );
      if (!x.complete)
        return fail(
          `Got ${got.length} of the ${want.length} lines and the stream has not ended: end the response (res.end()) after "liftoff", so the last, zero-size chunk tells the page it is over.`,
          `收到了 ${want.length} 行中的 ${got.length} 行，而流还没有结束：发完 "liftoff" 后结束响应（res.end()），让最后那个长度为 0 的块告诉页面倒计时结束了。`,
        );
      for (let i = 1; i < chunks.length; i++) {
        const gap = (chunks[i]?.t ?? 0) - (chunks[i - 1]?.t ?? 0);
        if (gap < MIN_GAP_US)
          return fail(
            `"${got[i - 1]}" and "${got[i]}" left ${(gap / 1e6).toFixed(2)} s apart: send one line a second (setTimeout(…, 1000) after each).`,
            `"${got[i - 1]}" 和 "${got[i]}" 只相隔 ${(gap / 1e6).toFixed(2)} 秒就发出了：每秒只发一行（每次发完再 setTimeout(…, 1000)）。`,
          );
      }
      return true;
    },
  },
});
