import type { HttpExchange, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** Answered GETs to `endpoint` with status 200. */
const answered = (wire: WireFacts, endpoint: string): HttpExchange[] =>
  wire.exchanges.filter((x) => x.endpoint === endpoint && x.method === 'GET' && x.status === 200);

/** The message ids in a `news` answer, or null when the body is not one. */
function idsOf(x: HttpExchange): number[] | null {
  try {
    const body = JSON.parse(x.responseBody) as { messages?: { id: number }[] };
    return Array.isArray(body.messages) ? body.messages.map((m) => m.id) : null;
  } catch {
    return null;
  }
}

export default defineChecks({
  traffic: {
    'poll-time': (wire) => {
      const polls = answered(wire, 'time');
      if (polls.length < 3)
        return fail(
          `Expected at least 3 answered GET time requests, saw ${polls.length}. Run the step and let it finish.`,
          `应至少有 3 个得到应答的 GET time 请求，实际只有 ${polls.length} 个。运行这一步并等它结束。`,
        );
      // Short polling answers at once, with a length-delimited body: nothing is held or streamed.
      if (
        polls.some(
          (x) => x.framing !== 'length' || !x.responseHeaders['content-type']?.startsWith('application/json'),
        )
      )
        return fail(
          'Each time answer should be JSON with a Content-Length.',
          '每个 time 应答都应是带 Content-Length 的 JSON。',
        );
      return true;
    },
    'poll-news': (wire) => {
      const polls = answered(wire, 'news');
      if (polls.length < 3)
        return fail(
          `Expected at least 3 answered GET news requests, saw ${polls.length}. Run the step and let it finish.`,
          `应至少有 3 个得到应答的 GET news 请求，实际只有 ${polls.length} 个。运行这一步并等它结束。`,
        );
      if (polls.some((x) => idsOf(x) === null))
        return fail(
          'Each news answer should be JSON with a messages list.',
          '每个 news 应答都应是带 messages 列表的 JSON。',
        );
      return true;
    },
  },
  exercise: {
    step: 'poll-news',
    check: (wire) => {
      const polls = answered(wire, 'news');
      if (polls.length < 4)
        return fail(
          `Only ${polls.length} news polls were answered; let the run go on for at least 4.`,
          `只有 ${polls.length} 次 news 轮询得到应答；请让程序至少跑完 4 次轮询。`,
        );
      const seen = new Set<number>();
      for (const x of polls) {
        for (const id of idsOf(x) ?? []) {
          if (seen.has(id))
            return fail(
              `Message ${id} arrived twice: a poll asked for messages the client already had. Send news?since=<the last of the previous answer>.`,
              `消息 ${id} 收到了两次：某次轮询又要了客户端已经有的消息。请发送 news?since=<上一次应答里的 last>。`,
            );
          seen.add(id);
        }
      }
      if (seen.size < 2)
        return fail(
          'Fewer than 2 messages arrived in this run; run it again and let it poll for a few seconds.',
          '这次运行收到的消息不到 2 条；请再运行一次，让它多轮询几秒。',
        );
      if (!polls.some((x) => Number(x.query.since) > 0))
        return fail(
          'No poll said where it stopped: add ?since=<last> to the news URL.',
          '没有一次轮询说明自己停在哪里：请在 news 的 URL 上加 ?since=<last>。',
        );
      return true;
    },
  },
});
