import type { HttpExchange, SseEvent, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** The GET requests the learner's handler answered (`mine/…`), in the order they were made. */
const streams = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter(
    (e) => e.endpoint.startsWith('mine/') && e.method === 'GET' && e.status !== undefined,
  );

const isEventStream = (e: HttpExchange): boolean =>
  e.status === 200 && (e.responseHeaders['content-type'] ?? '').startsWith('text/event-stream');

/**
 * The events one response carried. A stream that ends properly leaves its connection open
 * (keep-alive), and EventSource may send its reconnect on it: the events of one exchange are
 * those of its connection from its request until the next request on that connection.
 */
function eventsOf(wire: WireFacts, e: HttpExchange): SseEvent[] {
  const next = wire.exchanges.find((x) => x.conn === e.conn && x.t > e.t)?.t ?? Number.POSITIVE_INFINITY;
  return wire.sseEvents.filter((s) => s.conn === e.conn && s.t >= e.t && s.t < next);
}

/** The ids of a response's events, as numbers (NaN for an event without a numeric id). */
const idsOf = (wire: WireFacts, e: HttpExchange): number[] =>
  eventsOf(wire, e).map((s) => (/^\d+$/.test(s.lastEventId) ? Number(s.lastEventId) : Number.NaN));

/** "4" or "4–6", for messages. */
const span = (from: number, to: number): string => (from === to ? `${from}` : `${from}–${to}`);

/** The stream's response head, as the check reads CORS from it. */
function corsVerdict(e: HttpExchange) {
  const origin = e.requestHeaders.origin;
  const allow = e.responseHeaders['access-control-allow-origin'];
  const shown = allow === undefined ? '(none)' : allow;
  const shownZh = allow === undefined ? '（无）' : allow;
  if (allow !== origin)
    return fail(
      `The request said Origin: ${origin ?? '(none)'}; the answer said Access-Control-Allow-Origin: ${shown}. With withCredentials the browser refuses \`*\` and anything but the exact origin: send the request's Origin back.`,
      `请求带的是 Origin: ${origin ?? '（无）'}，应答给的却是 Access-Control-Allow-Origin: ${shownZh}。用了 withCredentials，浏览器就不接受 \`*\`，也不接受确切的源以外的任何值：把请求的 Origin 原样写回去。`,
    );
  if (e.responseHeaders['access-control-allow-credentials'] !== 'true')
    return fail(
      'The answer names the exact origin but has no Access-Control-Allow-Credentials: true: without it the browser refuses a credentialed response.',
      '应答写明了确切的源，却没有 Access-Control-Allow-Credentials: true：缺了它，浏览器不接受带凭据的应答。',
    );
  if (!/(^|,)\s*origin\s*(,|$)/i.test(e.responseHeaders.vary ?? ''))
    return fail(
      'The answer depends on the Origin it echoes but says no Vary: Origin: a cache could hand one origin’s answer to another. Add Vary: Origin.',
      '应答随写回的 Origin 而变，却没有 Vary: Origin：缓存可能把给一个源的应答交给另一个源。请加上 Vary: Origin。',
    );
  return true;
}

export default defineChecks({
  traffic: {
    'data-lines': (wire) => {
      const stream = streams(wire).find(isEventStream);
      if (!stream)
        return fail(
          'No text/event-stream answer from your handler (mine/…): deploy it and run the step.',
          '你的处理函数（mine/…）没有返回 text/event-stream 应答：部署它，再运行这一步。',
        );
      const events = eventsOf(wire, stream).filter((s) => s.data !== '');
      if (events.length < 3)
        return fail(
          `Expected at least 3 data: events on the stream; got ${events.length}.`,
          `流里应当至少有 3 个 data: 事件，实际只有 ${events.length} 个。`,
        );
      if (stream.framing !== 'chunked')
        return fail(
          'The events came in one piece at the end (no Transfer-Encoding: chunked): call res.flush() after each res.write().',
          '事件是在最后一次性到达的（没有 Transfer-Encoding: chunked）：每次 res.write() 之后调用 res.flush()。',
        );
      if (stream.responseHeaders['access-control-allow-origin'] === undefined)
        return fail(
          'The answer has no Access-Control-Allow-Origin: the bytes arrived, but the browser kept them from the page.',
          '应答里没有 Access-Control-Allow-Origin：字节到了，浏览器却没有交给页面。',
        );
      return true;
    },

    'ids-and-retry': (wire) => {
      const all = streams(wire).filter(isEventStream);
      const first = all[0];
      if (!first)
        return fail(
          'No text/event-stream answer from your handler (mine/…).',
          '你的处理函数（mine/…）没有返回 text/event-stream 应答。',
        );
      if (!/^retry: ?\d+$/m.test(first.responseBody))
        return fail('The stream carries no `retry:` line.', '事件流里没有 `retry:` 行。');
      const events = eventsOf(wire, first);
      if (events.length === 0 || events.some((s) => s.lastEventId === '' || s.type === 'message'))
        return fail(
          'Every event should carry an id: and an event: name.',
          '每个事件都应当带有 id: 和 event: 名字。',
        );
      const second = all[1];
      if (!second)
        return fail(
          'EventSource did not reconnect: only one stream. The handler ends it after drop=3 events.',
          'EventSource 没有重连：只有一条流。处理函数应当在 drop=3 个事件之后结束它。',
        );
      const header = second.requestHeaders['last-event-id'];
      if (header === undefined || !events.some((s) => s.lastEventId === header))
        return fail(
          `The reconnect carried Last-Event-ID ${header ?? '(none)'}; the first stream delivered ids ${events.map((s) => s.lastEventId).join(', ')}.`,
          `重连请求带的 Last-Event-ID 是 ${header ?? '（无）'}，而第一条流送达的 id 是 ${events.map((s) => s.lastEventId).join('、')}。`,
        );
      return true;
    },

    resume: (wire) => {
      if (!streams(wire).some(isEventStream))
        return fail(
          'No text/event-stream answer from your handler (mine/…).',
          '你的处理函数（mine/…）没有返回 text/event-stream 应答。',
        );
      return true;
    },
  },

  exercise: {
    step: 'resume',
    check: (wire) => {
      const all = streams(wire);
      if (all.length === 0)
        return fail(
          'Nothing reached your handler yet: run the step.',
          '还没有请求到达你的处理函数：运行这一步。',
        );
      // 204 is how the handler says "nothing left" (the browser then stops): no events to check.
      const live = all.filter((e) => e.status !== 204);
      for (const e of live) {
        if (!isEventStream(e))
          return fail(
            `Your handler answered ${e.status} ${e.responseHeaders['content-type'] ?? ''}: EventSource needs 200 and text/event-stream.`,
            `你的处理函数返回的是 ${e.status} ${e.responseHeaders['content-type'] ?? ''}：EventSource 需要 200 和 text/event-stream。`,
          );
        const cors = corsVerdict(e);
        if (cors !== true) return cors;
      }
      const first = live[0];
      if (!first) return fail('No stream to check: run the step.', '没有可以检查的流：运行这一步。');
      if (!/^retry: ?\d+$/m.test(first.responseBody))
        return fail('The stream carries no `retry:` line.', '事件流里没有 `retry:` 行。');
      for (const e of live)
        if (idsOf(wire, e).some(Number.isNaN))
          return fail('Every event should carry a numeric id:.', '每个事件都应当带一个数字 id:。');
      if (live.length < 2)
        return fail(
          'No reconnection to check: the handler should end the stream after drop=3 events, and EventSource reconnect.',
          '还没有重连可以检查：处理函数应当在 drop=3 个事件之后结束这条流，再由 EventSource 重连。',
        );
      let resumed = 0;
      for (const [i, e] of live.entries()) {
        const ids = idsOf(wire, e);
        const header = e.requestHeaders['last-event-id'];
        // Last-Event-ID is the last event the browser dispatched: the next must be the one after it.
        const after = header === undefined ? 0 : Number(header);
        const got = ids[0];
        if (got === undefined) continue;
        if (i > 0 && header === undefined)
          return fail(
            'A reconnect carried no Last-Event-ID: did the events carry their id: lines?',
            '有一次重连没有带 Last-Event-ID：事件里有 id: 行吗？',
          );
        if (got <= after)
          return fail(
            got === 1
              ? `The browser asked to resume after ${after}, and your handler started again from 1: events ${span(1, Math.min(after, ids.at(-1) ?? after))} came twice. Start right after req.lastEventId.`
              : `The browser asked to resume after ${after}, and your handler sent ${got} again: it came twice. Start right after req.lastEventId.`,
            got === 1
              ? `浏览器要求从 ${after} 之后继续，你的处理函数却又从 1 开始：事件 ${span(1, Math.min(after, ids.at(-1) ?? after))} 收到了两次。请从 req.lastEventId 之后开始。`
              : `浏览器要求从 ${after} 之后继续，你的处理函数却把 ${got} 又发了一遍：它收到了两次。请从 req.lastEventId 之后开始。`,
          );
        if (got > after + 1)
          return fail(
            `The browser asked to resume after ${after}, and your handler began at ${got}: ${span(after + 1, got - 1)} never arrived.`,
            `浏览器要求从 ${after} 之后继续，你的处理函数却从 ${got} 开始：${span(after + 1, got - 1)} 就这样丢了。`,
          );
        const step = ids.findIndex((id, k) => k > 0 && id !== (ids[k - 1] ?? 0) + 1);
        if (step > 0)
          return fail(
            `One stream sent id ${ids[step - 1]} and then ${ids[step]}: each event should follow the one before it.`,
            `同一条流先发了 id ${ids[step - 1]}，接着是 ${ids[step]}：每个事件都应当紧接着前一个。`,
          );
        if (header !== undefined) resumed++;
      }
      if (resumed === 0)
        return fail(
          'No reconnect carried events to check: let the run go on until EventSource has reconnected.',
          '还没有一次带着事件的重连可以检查：让这次运行继续，直到 EventSource 重连。',
        );
      return true;
    },
  },
});
