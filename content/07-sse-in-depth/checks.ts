import type { HttpExchange, SseEvent, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** The GET requests to `sse` that were answered, in the order they were made. */
const streams = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter((e) => e.endpoint === 'sse' && e.method === 'GET' && e.status !== undefined);

const isEventStream = (e: HttpExchange): boolean =>
  e.status === 200 && (e.responseHeaders['content-type'] ?? '').startsWith('text/event-stream');

/** The events one response carried. */
const eventsOf = (wire: WireFacts, e: HttpExchange): SseEvent[] =>
  wire.sseEvents.filter((s) => s.conn === e.conn);

/** Where a request asked to resume: the Last-Event-ID header (EventSource), else `lastEventId=`. */
const resumeId = (e: HttpExchange): string | undefined =>
  e.requestHeaders['last-event-id'] ?? e.query.lastEventId;

/** The ids of a response's events, as numbers, in order. */
const idsOf = (wire: WireFacts, e: HttpExchange): number[] =>
  eventsOf(wire, e)
    .map((s) => Number(s.lastEventId))
    .filter((n) => Number.isInteger(n) && n > 0);

export default defineChecks({
  traffic: {
    'raw-stream': (wire) => {
      const stream = streams(wire).find(isEventStream);
      if (!stream)
        return fail('No text/event-stream response from sse.', '没有来自 sse 的 text/event-stream 响应。');
      if (!/^retry: \d+$/m.test(stream.responseBody))
        return fail('The stream carries no `retry:` line.', '事件流里没有 `retry:` 行。');
      const ticks = eventsOf(wire, stream).filter((s) => s.type === 'tick' && s.lastEventId !== '');
      if (ticks.length !== 3 || !stream.complete)
        return fail(
          `Expected 3 tick events and a proper end (count=3); got ${ticks.length} events${stream.complete ? '' : ' and no end'}.`,
          `应当收到 3 个 tick 事件并正常结束（count=3），实际收到 ${ticks.length} 个${stream.complete ? '' : '，且流没有结束'}。`,
        );
      return true;
    },

    reconnect: (wire) => {
      const all = streams(wire).filter(isEventStream);
      if (all.length < 2)
        return fail(
          'EventSource did not reconnect after the drop: only one sse request.',
          '连接被切断后 EventSource 没有重连：只有一个 sse 请求。',
        );
      const [first, second] = all as [HttpExchange, HttpExchange];
      const ids = idsOf(wire, first);
      const header = second.requestHeaders['last-event-id'];
      if (header === undefined || !ids.includes(Number(header)))
        return fail(
          `The reconnect request carried Last-Event-ID ${header ?? '(none)'}; the first stream delivered ids ${ids.join(', ')}.`,
          `重连请求带的 Last-Event-ID 是 ${header ?? '（无）'}，而第一条流送达的 id 是 ${ids.join('、')}。`,
        );
      return true;
    },

    stop: (wire) => {
      const asked = wire.exchanges.filter((e) => e.endpoint === 'sse' && e.query.status === '204');
      if (asked.length === 0 || asked[0]?.status !== 204)
        return fail('No 204 answer from sse?status=204.', 'sse?status=204 没有返回 204。');
      if (asked.length > 1)
        return fail(
          `EventSource asked ${asked.length} times: a 204 must end its reconnecting.`,
          `EventSource 请求了 ${asked.length} 次：收到 204 后它本应停止重连。`,
        );
      return true;
    },

    six: (wire) => {
      const reached = streams(wire).filter(isEventStream);
      if (reached.length < 6)
        return fail(
          `Only ${reached.length} streams reached the server; 6 should.`,
          `只有 ${reached.length} 条流到达服务器，应当是 6 条。`,
        );
      if (reached.some((e) => e.query.n === '7'))
        return fail(
          'The seventh stream reached the server: the browser did not hold it back.',
          '第七条流到达了服务器：浏览器没有把它拦在队列里。',
        );
      return true;
    },

    resume: (wire) => {
      const all = streams(wire).filter(isEventStream);
      if (all.length < 2 || !wire.connections.some((c) => c.notes.some((n) => n.includes('drop=3'))))
        return fail(
          'Expected a stream cut by drop=3 and a second stream after it.',
          '应当有一条被 drop=3 切断的流，以及其后的第二条流。',
        );
      return true;
    },
  },

  exercise: {
    step: 'resume',
    check: (wire) => {
      const all = streams(wire).filter(isEventStream);
      if (all.length < 2)
        return fail(
          'No reconnection to check: run the step and let the drop happen (it comes after 3 events).',
          '还没有发生重连：运行这一步，等连接被切断（3 个事件之后）。',
        );
      for (let i = 1; i < all.length; i++) {
        const before = idsOf(wire, all[i - 1]!);
        const last = before.at(-1);
        if (last === undefined) continue;
        const asked = resumeId(all[i]!);
        const next = idsOf(wire, all[i]!)[0];
        if (asked === undefined) {
          const gap = next !== undefined && next > last + 1 ? [last + 1, next - 1] : undefined;
          const span = gap && (gap[0] === gap[1] ? `${gap[0]}` : `${gap[0]}–${gap[1]}`);
          const lost = gap ? ` ${gap[0] === gap[1] ? 'Event' : 'Events'} ${span} never arrived.` : '';
          const lostZh = gap ? `事件 ${span} 就这样丢了。` : '';
          return fail(
            `After the drop, the new stream asked for no position (no Last-Event-ID, no lastEventId=), so it began at the newest message.${lost} Resume after ${last}: let EventSource reconnect by itself, or open the new one with lastEventId=${last}.`,
            `连接断开后，新的流没有说明从哪里继续（既没有 Last-Event-ID，也没有 lastEventId=），于是从最新的消息开始。${lostZh}请从 ${last} 之后继续：让 EventSource 自己重连，或者用 lastEventId=${last} 打开新的连接。`,
          );
        }
        // Last-Event-ID is the last event the browser dispatched, not the last on the wire: Chromium
        // drops the data that came in the same read as the cut (one event, or a whole burst), so
        // the id may be any event of the previous stream, or where that stream itself resumed
        // from. Resuming earlier loses nothing (the server sends those again); later, or an id
        // that never arrived, would skip events.
        const resumable = new Set([...before, Number(resumeId(all[i - 1]!))]);
        if (Number(asked) > last || !resumable.has(Number(asked)))
          return fail(
            `After the drop you asked to resume after ${asked}, but the last event received was ${last}.`,
            `连接断开后，你要求从 ${asked} 之后继续，但收到的最后一个事件是 ${last}。`,
          );
      }
      return true;
    },
  },
});
