import type { HttpExchange, SseEvent, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

const sseExchanges = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter(
    (x) =>
      x.endpoint === 'sse' &&
      x.status === 200 &&
      x.responseHeaders['content-type']?.startsWith('text/event-stream'),
  );

const ticks = (wire: WireFacts): SseEvent[] => wire.sseEvents.filter((e) => e.type === 'tick');

export default defineChecks({
  traffic: {
    'first-events': (wire) => {
      const x = sseExchanges(wire)[0];
      if (!x)
        return fail(
          'Expected a GET sse answered 200 with Content-Type: text/event-stream.',
          '应有一个以 200 应答、Content-Type 为 text/event-stream 的 GET sse。',
        );
      // The iframe's origin is opaque: EventSource sends Origin: null, the lab answers with CORS.
      if (x.responseHeaders['access-control-allow-origin'] !== '*')
        return fail(
          'Expected Access-Control-Allow-Origin: * on the stream.',
          '流的应答上应有 Access-Control-Allow-Origin: *。',
        );
      if (ticks(wire).length < 3)
        return fail(
          `Expected at least 3 tick events on the wire, saw ${ticks(wire).length}. Let the run go on for a few seconds.`,
          `线路上应至少有 3 个 tick 事件，实际只有 ${ticks(wire).length} 个。请让程序多运行几秒。`,
        );
      return true;
    },
    'chat-utf8': (wire) => {
      const sent = wire.exchanges.find(
        (x) => x.endpoint === 'send' && x.method === 'POST' && x.status === 200,
      );
      if (!sent) return fail('Expected a POST send answered 200.', '应有一个以 200 应答的 POST send。');
      // Two lines of text: two data: lines on the wire, joined again with \n by the parser.
      const chat = wire.sseEvents.find(
        (e) => e.type === 'chat' && e.data.includes('\n') && /[^\x00-\x7f]/.test(e.data),
      );
      if (!chat)
        return fail(
          'Expected a chat event with two data: lines of non-ASCII text on the sse stream.',
          'sse 流上应有一个 chat 事件，带两行 data:，内容含非 ASCII 文字。',
        );
      return true;
    },
    reconnect: (wire) => {
      const all = sseExchanges(wire);
      const again = all.find((x) => x.requestHeaders['last-event-id'] !== undefined);
      if (all.length < 2 || !again)
        return fail(
          'Expected EventSource to reconnect: a second GET sse carrying a Last-Event-ID header.',
          '应看到 EventSource 重连：第二个 GET sse 请求带着 Last-Event-ID 首部。',
        );
      // Resumed right after the id it named: the first event of the new connection is the next one.
      const lastSeen = Number(again.requestHeaders['last-event-id']);
      // (Read from this response's own body: a reconnect may reuse the kept-alive connection.)
      const first = /^id: ?(\d+)$/m.exec(again.responseBody)?.[1];
      if (first !== undefined && Number(first) !== lastSeen + 1)
        return fail(
          `After Last-Event-ID: ${lastSeen} the stream should resume with id ${lastSeen + 1}, not ${first}.`,
          `在 Last-Event-ID: ${lastSeen} 之后，流应从 id ${lastSeen + 1} 继续，而不是 ${first}。`,
        );
      return true;
    },
  },
  exercise: {
    step: 'first-events',
    check: (wire) => {
      const onWire = ticks(wire);
      if (onWire.length < 3)
        return fail(
          `Only ${onWire.length} tick events reached the browser; let the run go on until three have.`,
          `只有 ${onWire.length} 个 tick 事件到达浏览器；请让程序运行到收到三个为止。`,
        );
      // The price of each tick on the wire, e.g. 101.3 from data: {"symbol":"WIRE","price":101.3}.
      const prices = onWire.map((e) => {
        try {
          return String((JSON.parse(e.data) as { price: number }).price);
        } catch {
          return e.data;
        }
      });
      const logged = prices.filter((p) => wire.console.some((c) => c.text.includes(p)));
      if (logged.length < 3)
        return fail(
          `The stream carried ${onWire.length} tick events, but ${logged.length === 0 ? 'none' : `only ${logged.length}`} of their prices reached the console. Events named "tick" go to addEventListener('tick', …), not to onmessage.`,
          `流里有 ${onWire.length} 个 tick 事件，但${logged.length === 0 ? '没有一个' : `只有 ${logged.length} 个`}价格出现在控制台里。名为 "tick" 的事件只会交给 addEventListener('tick', …)，不会交给 onmessage。`,
        );
      return true;
    },
  },
});
