import type { HttpExchange, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** The `time` exchanges of the run that got a whole answer. */
const times = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter((x) => x.endpoint === 'time' && x.status === 200 && x.complete);

const oneTimeAnswer = (wire: WireFacts) =>
  times(wire).length > 0
    ? true
    : fail(
        'Expected a GET time answered 200 with its whole body. Press Run and look for it in the inspector.',
        '应看到一个以 200 应答、消息体完整的 GET time。点击“运行”，然后在检查器里找到它。',
      );

export default defineChecks({
  traffic: {
    'fetch-time': oneTimeAnswer,
    'count-bytes': oneTimeAnswer,
    jquery: (wire) => {
      const ok = oneTimeAnswer(wire);
      if (ok !== true) return ok;
      // jQuery marks its requests; a cross-origin call must not, or the browser sends a preflight.
      const x = times(wire)[0]!;
      return x.requestHeaders['x-requested-with'] === undefined
        ? true
        : fail('The request carried X-Requested-With.', '请求带上了 X-Requested-With 首部。');
    },
  },
  exercise: {
    step: 'count-bytes',
    check: (wire) => {
      // Only an answer whose characters are not its bytes can tell a byte count from body.length.
      const wide = times(wire).filter((x) => x.responseBodyBytes !== x.responseBody.length);
      if (wide.length === 0)
        return fail(
          'Fetch time?lang=en, as the step does: its answer has characters that take more than one byte, so counting characters and counting bytes give different numbers.',
          '请像这一步原本那样请求 time?lang=zh：它的应答里有占多个字节的字符，数字符和数字节才会得出不同的数。',
        );
      const printed = printedCounts(wire);
      if (printed.length === 0)
        return fail(
          'Print the number of bytes of the body: console.log("bytes in the body:", n).',
          '请打印消息体的字节数：console.log("响应体的字节数：", n)。',
        );
      // The bytes the body really took on the wire (de-chunked), which Content-Length announced.
      if (printed.some((n) => wide.some((x) => x.responseBodyBytes === n))) return true;
      const x = wide.at(-1)!;
      const said = printed.join(', ');
      if (printed.some((n) => wide.some((w) => w.responseBody.length === n)))
        return fail(
          `You printed ${said}: that is body.length, the text's UTF-16 code units. The wire carried ${x.responseBodyBytes} bytes of body (Content-Length: ${x.responseHeaders['content-length']}): in UTF-8 the emoji takes 4 bytes, yet counts 2 in body.length. Count bytes, not characters.`,
          `你打印的是 ${printed.join('、')}：这是 body.length，也就是文本的 UTF-16 码元数。线路上的消息体实际有 ${x.responseBodyBytes} 个字节（Content-Length: ${x.responseHeaders['content-length']}）：在 UTF-8 里，一个汉字占 3 个字节，表情符号占 4 个，body.length 却只把它们算作 1 个和 2 个。要数的是字节，不是字符。`,
        );
      return fail(
        `You printed ${said}, but the body took ${x.responseBodyBytes} bytes on the wire (Content-Length: ${x.responseHeaders['content-length']}). Count the bytes of the body you received.`,
        `你打印的是 ${printed.join('、')}，而消息体在线路上占了 ${x.responseBodyBytes} 个字节（Content-Length: ${x.responseHeaders['content-length']}）。请数一数你收到的消息体的字节。`,
      );
    },
  },
});

/** The numbers the run printed as the body's byte count, in either language's words. */
function printedCounts(wire: WireFacts): number[] {
  return wire.console
    .map((line) => /(?:bytes in the body|响应体的字节数)\s*[:：]\s*(\d+)/.exec(line.text)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
}
