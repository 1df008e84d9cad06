import type { HttpExchange, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

const answered = (wire: WireFacts, endpoint: string): HttpExchange[] =>
  wire.exchanges.filter((e) => e.endpoint === endpoint && e.method === 'GET' && e.status !== undefined);

/** How many ticks the page must print, whole and in order, across the cuts. */
const TICKS = 6;

/** The ids of every tick that crossed the wire in this run, whatever the transport. */
function wireTicks(wire: WireFacts): Set<number> {
  const ids = new Set<number>();
  const add = (m: unknown) => {
    const { id, type } = (m ?? {}) as { id?: unknown; type?: unknown };
    if (type === 'tick' && typeof id === 'number') ids.add(id);
  };
  for (const e of wire.sseEvents) if (e.type === 'tick') ids.add(Number(e.lastEventId));
  for (const f of wire.wsFrames) if (f.dir === 'out' && f.text !== undefined) add(parse(f.text));
  for (const x of wire.exchanges) {
    if (x.endpoint === 'news' || x.endpoint === 'poll')
      for (const m of (parse(x.responseBody) as { messages?: unknown[] } | undefined)?.messages ?? []) add(m);
    if (x.endpoint === 'stream') for (const line of x.responseBody.split('\n')) add(parse(line));
  }
  return ids;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The tick ids the page printed (`tick #42: 101.3` or `行情 #42：101.3`), in console order. */
const printedTicks = (wire: WireFacts): number[] =>
  wire.console.flatMap((c) => [...c.text.matchAll(/(?:tick|行情) #(\d+)/g)].map((m) => Number(m[1])));

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

    tunnel: (wire) => {
      const listened = wire.exchanges.some((x) =>
        ['sse', 'ws', 'stream', 'poll', 'news'].includes(x.endpoint),
      );
      return listened
        ? true
        : fail(
            'Expected a request for the feed (sse, ws, stream, poll or news).',
            '应有一个读取消息流的请求（sse、ws、stream、poll 或 news）。',
          );
    },
  },

  exercise: {
    step: 'tunnel',
    check: (wire) => {
      const cut = wire.connections.filter((c) => c.notes.some((n) => n.startsWith('fault: drop=')));
      if (cut.length === 0)
        return fail(
          'No connection of this run was cut: keep drop=3 in the URL. It plays the tunnels the page must live through.',
          '这次运行没有一条连接被切断：请在 URL 里保留 drop=3。它扮演的就是页面必须挺过去的隧道。',
        );
      const printed = printedTicks(wire);
      const onWire = wireTicks(wire);
      const seen = new Set<number>();
      for (const [i, id] of printed.entries()) {
        if (!onWire.has(id))
          return fail(
            `You printed tick #${id}, but no tick with that id crossed the wire in this run.`,
            `你打印了行情 #${id}，但这次运行里没有这个 id 的行情经过线路。`,
          );
        if (seen.has(id))
          return fail(
            `Tick #${id} is printed twice: after the cut the page asked again for what it already had. Resume after the last id it received.`,
            `行情 #${id} 被打印了两次：切断之后，页面又要了一遍已经收到的内容。请从收到的最后一个 id 之后接着收。`,
          );
        const before = printed[i - 1];
        if (before !== undefined && id !== before + 1)
          return fail(
            `After tick #${before} comes #${id}: ${id > before ? `#${before + 1} to #${id - 1} went missing in a tunnel. Resume from the last id received, not from "new messages only".` : 'the ticks are out of order.'}`,
            `行情 #${before} 之后是 #${id}：${id > before ? `#${before + 1} 到 #${id - 1} 在隧道里丢了。请从收到的最后一个 id 接着收，而不是“只要新消息”。` : '行情的顺序乱了。'}`,
          );
        seen.add(id);
      }
      if (printed.length < TICKS)
        return fail(
          `The page printed ${printed.length} of ${TICKS} ticks: after the cut nothing reopened the connection. Choose a transport that reconnects and resumes by itself, or do both in your code.`,
          `页面只打印了 ${TICKS} 条中的 ${printed.length} 条：连接被切断后，没有谁把它重新打开。请选一种会自己重连、自己续传的传输方式，或者在代码里把这两件事都做了。`,
        );
      // The page only listens: a transport that pays a request per answer is the wrong choice here.
      const requests = wire.exchanges.length;
      if (requests > printed.length / 2)
        return fail(
          `${requests} requests for ${printed.length} ticks: polling pays a whole request and response per answer. For a page that only listens, choose a connection that stays open between cuts.`,
          `${printed.length} 条行情用了 ${requests} 个请求：轮询每得到一个应答都要付出一整个请求和响应。对只听不说的页面，请选一条在两次切断之间一直开着的连接。`,
        );
      return true;
    },
  },
});
