import type { HttpExchange, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** The script stream (`stream?format=script`) of the run, answered 200. */
const scriptStream = (wire: WireFacts): HttpExchange | undefined =>
  wire.exchanges.find((x) => x.endpoint === 'stream' && x.query.format === 'script' && x.status === 200);

/** The values passed to `parent.push(…)` in the streamed page, in order. */
function pushed(x: HttpExchange): { text?: unknown }[] {
  const out: { text?: unknown }[] = [];
  for (const m of x.responseBody.matchAll(/<script>parent\.push\((.*?)\)<\/script>/g)) {
    try {
      out.push(JSON.parse(m[1] ?? '') as { text?: unknown });
    } catch {
      // a call cut short
    }
  }
  return out;
}

const scriptTraffic = (wire: WireFacts) => {
  const x = scriptStream(wire);
  if (!x)
    return fail(
      'Expected a GET stream?format=script answered 200. Run the step.',
      '应有一个以 200 应答的 GET stream?format=script。请运行这一步。',
    );
  if (!x.responseHeaders['content-type']?.startsWith('text/html') || x.framing !== 'chunked')
    return fail('The script stream should be chunked text/html.', '脚本流应是分块传输的 text/html。');
  // The padding comes first, as its own chunk, then one chunk per <script>.
  if (!x.responseBody.startsWith('<!-- padding') || pushed(x).length < 5)
    return fail(
      'Expected the 1 KiB padding, then 5 <script>parent.push(…)</script> chunks. Let the run finish.',
      '应先收到 1 KiB 的填充，再收到 5 个 <script>parent.push(…)</script> 块。请等程序运行结束。',
    );
  return true;
};

export default defineChecks({
  traffic: {
    'forever-iframe': scriptTraffic,
    'read-scripts': scriptTraffic,
  },
  exercise: {
    step: 'read-scripts',
    check: (wire) => {
      const ok = scriptTraffic(wire);
      if (ok !== true) return ok;
      for (const value of pushed(scriptStream(wire)!)) {
        const text = String(value.text);
        // The text on its own line, not inside a raw chunk of HTML.
        const alone = wire.console.some((c) => c.text.includes(text) && !c.text.includes('<script'));
        if (!alone)
          return fail(
            `"${text}" is not in the console on its own: take the JSON out of each parent.push(…) call, parse it and log its text.`,
            `控制台里没有单独一行“${text}”：请从每个 parent.push(…) 调用里取出 JSON，解析后打印它的 text。`,
          );
      }
      return true;
    },
  },
});
