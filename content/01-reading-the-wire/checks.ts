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
      const lengths = new Set(times(wire).map((x) => x.responseHeaders['content-length']));
      const printed = wire.console
        .map((line) => /bytes in the body:\s*(\d+)/.exec(line.text)?.[1])
        .filter((n): n is string => n !== undefined);
      if (printed.length === 0)
        return fail(
          'Print the number of bytes of the body: console.log("bytes in the body:", n).',
          '请打印消息体的字节数：console.log("bytes in the body:", n)。',
        );
      return printed.some((n) => lengths.has(n))
        ? true
        : fail(
            `You printed ${printed.join(', ')}, but the wire says Content-Length: ${[...lengths].join(', ')}. Count bytes, not characters.`,
            `你打印的是 ${printed.join('、')}，而线路上的 Content-Length 是 ${[...lengths].join('、')}。要数的是字节，不是字符。`,
          );
    },
  },
});
