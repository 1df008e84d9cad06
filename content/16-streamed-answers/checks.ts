import type { HttpExchange, SseEvent, Verdict, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** The answers of the Run: POST complete answered 200 with an event stream. */
const answers = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter(
    (x) =>
      x.endpoint === 'complete' &&
      x.method === 'POST' &&
      x.status === 200 &&
      x.responseHeaders['content-type']?.startsWith('text/event-stream'),
  );

/** The events of one answer: those dispatched on its connection after its request. */
const eventsOf = (wire: WireFacts, x: HttpExchange): SseEvent[] =>
  wire.sseEvents.filter((e) => e.conn === x.conn && e.t >= x.t);

const isDone = (e: SseEvent): boolean => e.data === '[DONE]';

/** The answer's text as the tokens on the wire spell it: JSON `token`s, `text` events as they are. */
function answerText(events: SseEvent[]): string {
  let text = '';
  for (const e of events) {
    if (isDone(e)) break;
    if (e.type === 'text') text += e.data;
    else if (e.type === 'message') {
      try {
        text += (JSON.parse(e.data) as { token?: string }).token ?? '';
      } catch {
        // not a token: the lab sends none such
      }
    }
  }
  return text;
}

const noAnswer = (): Verdict =>
  fail(
    'Expected a POST complete answered 200 with Content-Type: text/event-stream. Run the step.',
    '应有一个以 200 应答、Content-Type 为 text/event-stream 的 POST complete。请运行这一步。',
  );

/** The question went up as JSON in the body, and the answer came down whole, up to data: [DONE]. */
function wholeAnswer(wire: WireFacts): Verdict {
  const x = answers(wire)[0];
  if (!x) return noAnswer();
  let prompt: unknown;
  try {
    prompt = (JSON.parse(x.requestBody) as { prompt?: unknown }).prompt;
  } catch {
    prompt = undefined;
  }
  if (typeof prompt !== 'string')
    return fail(
      `Expected the question as JSON in the request body, {"prompt": …}; the body was ${JSON.stringify(x.requestBody.slice(0, 80))}.`,
      `请求体里应是 JSON 形式的问题，{"prompt": …}；实际的请求体是 ${JSON.stringify(x.requestBody.slice(0, 80))}。`,
    );
  if (!x.complete || !eventsOf(wire, x).some(isDone))
    return fail(
      'Expected the whole answer, up to data: [DONE] and the final 0-size chunk. Let the run go on for a few seconds.',
      '应收到完整的回答，直到 data: [DONE] 和最后的长度为 0 的块。请让程序多运行几秒。',
    );
  return true;
}

export default defineChecks({
  traffic: {
    'raw-answer': wholeAnswer,
    parse: (wire) => (answers(wire)[0] ? true : noAnswer()),
    stop: (wire) => {
      const x = answers(wire)[0];
      if (!x) return noAnswer();
      if (eventsOf(wire, x).some(isDone))
        return fail(
          'The answer arrived whole, up to data: [DONE]: abort the fetch before it ends.',
          '回答完整地到达了，直到 data: [DONE]：请在它结束之前中止这个 fetch。',
        );
      const conn = wire.connections.find((c) => c.conn === x.conn);
      if (x.complete || !conn?.closed)
        return fail(
          'Expected the answer cut short: its connection closed before the final 0-size chunk. Call controller.abort().',
          '回答应被中途截断：连接在最后的长度为 0 的块之前就关闭了。请调用 controller.abort()。',
        );
      return true;
    },
  },
  exercise: {
    step: 'parse',
    check: (wire) => {
      const x = answers(wire).find((a) => a.query.split !== undefined);
      if (!x)
        return fail(
          'Expected a POST complete with split= answered 200: keep split=random in the URL, it is what cuts the events anywhere.',
          '应有一个带 split= 且以 200 应答的 POST complete：请在 URL 里保留 split=random，正是它把事件切在任意位置。',
        );
      const events = eventsOf(wire, x);
      if (!x.complete || !events.some(isDone))
        return fail(
          'Expected the whole answer, up to data: [DONE]. Let the run go on for about 10 s.',
          '应收到完整的回答，直到 data: [DONE]。请让程序运行约 10 秒。',
        );
      if (x.chunks <= events.length)
        return fail(
          `The answer came in ${x.chunks} chunks for ${events.length} events: nothing was cut. Keep split=random in the URL.`,
          `这个回答的 ${events.length} 个事件只分成了 ${x.chunks} 个块：没有被切开。请在 URL 里保留 split=random。`,
        );
      if (wire.console.some((c) => c.text.includes('\uFFFD')))
        return fail(
          'The console shows "\uFFFD": a character was cut between two reads and each half was decoded on its own. Decode the whole stream with one TextDecoder and { stream: true }.',
          '控制台里出现了“\uFFFD”：一个字符被切在两次读取之间，两半被分别解码了。请整条流只用一个 TextDecoder，并传入 { stream: true }。',
        );
      const expected = answerText(events);
      if (wire.console.some((c) => c.text.includes(expected))) return true;
      // What went wrong, as far as the console shows it.
      const withoutBreaks = answerText(events.filter((e) => e.type !== 'text'));
      if (wire.console.some((c) => c.text.includes(withoutBreaks.trim())))
        return fail(
          'The answer in the console lacks its line breaks: the tokens of event: text events are missing. Their data spans several data: lines; join them with "\\n".',
          '控制台里的回答少了换行：event: text 事件里的词元丢了。它们的数据跨好几行 data:，要用 "\\n" 把这些行连起来。',
        );
      return fail(
        `The whole answer never shows in one console line. Expected ${JSON.stringify(expected)}. A read can end in the middle of an event: keep what you read until a blank line ends the event, then log the whole answer at data: [DONE].`,
        `控制台里始终没有一行是完整的回答。应为 ${JSON.stringify(expected)}。一次读取可能停在一个事件的中间：请把读到的内容留着，等空行结束这个事件再处理，收到 data: [DONE] 时打印整个回答。`,
      );
    },
  },
});
