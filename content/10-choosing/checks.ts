import type { HttpExchange, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

const answered = (wire: WireFacts, endpoint: string): HttpExchange[] =>
  wire.exchanges.filter((e) => e.endpoint === endpoint && e.method === 'GET' && e.status !== undefined);

/** The `last` of a news/poll answer, or undefined when the body is not one. */
function lastOf(e: HttpExchange): number | undefined {
  try {
    const body = JSON.parse(e.responseBody) as { last?: unknown };
    return typeof body.last === 'number' ? body.last : undefined;
  } catch {
    return undefined;
  }
}

export default defineChecks({
  traffic: {
    compare: (wire) => {
      if (answered(wire, 'news').filter((e) => e.status === 200).length < 3)
        return fail('Short polling made fewer than 3 news requests.', '短轮询发出的 news 请求少于 3 个。');
      if (answered(wire, 'poll').filter((e) => e.status === 200).length < 2)
        return fail('Long polling got fewer than 2 answers.', '长轮询收到的应答少于 2 个。');
      const stream = answered(wire, 'stream').find((e) => e.query.source === 'feed');
      if (stream?.framing !== 'chunked' || stream.chunks < 3)
        return fail('The comet stream carried fewer than 3 chunks.', 'Comet 流携带的分块少于 3 个。');
      const sse = answered(wire, 'sse')[0];
      if (!sse || wire.sseEvents.filter((s) => s.conn === sse.conn).length < 3)
        return fail('The SSE stream carried fewer than 3 events.', 'SSE 流携带的事件少于 3 个。');
      if (wire.wsFrames.filter((f) => f.dir === 'out' && f.opcode === 1).length < 3)
        return fail('The WebSocket carried fewer than 3 messages.', 'WebSocket 传来的消息少于 3 条。');
      return true;
    },

    proxy: (wire) => {
      const streams = answered(wire, 'stream');
      const live = streams.find((e) => e.query.buffer === undefined);
      const held = streams.find((e) => e.query.buffer === '1');
      if (live?.framing !== 'chunked' || live.chunks !== 4)
        return fail('The unbuffered stream should arrive as 4 chunks.', '不缓冲的流应当以 4 个分块到达。');
      if (held?.framing !== 'length' || held.responseHeaders['content-length'] === undefined)
        return fail(
          'The buffered stream should arrive whole, with Content-Length.',
          '被缓冲的流应当带着 Content-Length 一次性到达。',
        );
      return true;
    },

    since: (wire) => {
      if (answered(wire, 'news').filter((e) => e.status === 200).length < 4)
        return fail('Expected 4 answered news requests.', '应当有 4 个得到应答的 news 请求。');
      return true;
    },
  },

  exercise: {
    step: 'since',
    check: (wire) => {
      const polls = answered(wire, 'news').filter((e) => e.status === 200);
      if (polls.length < 3)
        return fail(
          'Run the step: it needs at least 3 answered news requests.',
          '请运行这一步：至少需要 3 个得到应答的 news 请求。',
        );
      for (let i = 1; i < polls.length; i++) {
        const previous = lastOf(polls[i - 1]!);
        const asked = polls[i]!.query.since;
        if (asked === undefined)
          return fail(
            `Request ${i + 1} asked for news without since=, so the server sent everything it keeps again. Send since=${previous ?? 'last'} (the "last" of the answer before).`,
            `第 ${i + 1} 个请求没有带 since=，于是服务器把它保留的全部消息又发了一遍。请带上 since=${previous ?? 'last'}（上一个应答里的 "last"）。`,
          );
        if (previous !== undefined && Number(asked) !== previous)
          return fail(
            `Request ${i + 1} sent since=${asked}, but the answer before said last=${previous}.`,
            `第 ${i + 1} 个请求带的是 since=${asked}，而上一个应答给出的是 last=${previous}。`,
          );
      }
      return true;
    },
  },
});
