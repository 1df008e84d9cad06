import type { HttpExchange, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

interface PollAnswer {
  since: number;
  ids: number[];
  last: number;
  /** Messages the feed no longer kept (a real gap the client could not prevent). */
  missed: number;
}

const polls = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter((x) => x.endpoint === 'poll' && x.method === 'GET');

/** A 200 poll answer, read: the `since` asked for, the ids received and `last`; null when unreadable. */
function read(x: HttpExchange): PollAnswer | null {
  if (x.status !== 200 || !x.complete) return null;
  try {
    const body = JSON.parse(x.responseBody) as { messages: { id: number }[]; last: number; missed?: number };
    return {
      since: Number(x.query.since ?? 0),
      ids: body.messages.map((m) => m.id),
      last: body.last,
      missed: body.missed ?? 0,
    };
  } catch {
    return null;
  }
}

export default defineChecks({
  traffic: {
    'long-poll': (wire) => {
      const answers = polls(wire)
        .map(read)
        .filter((a) => a !== null);
      if (answers.length < 2)
        return fail(
          `Expected at least 2 poll answers with messages, saw ${answers.length}.`,
          `应至少有 2 个带消息的 poll 应答，实际只有 ${answers.length} 个。`,
        );
      return true;
    },
    timeout: (wire) => {
      const all = polls(wire);
      if (!all.some((x) => x.status === 204))
        return fail(
          'Expected at least one poll answered 204 No Content (nothing new before the timeout).',
          '应至少有一个 poll 以 204 No Content 应答（超时前没有新消息）。',
        );
      if (!all.some((x) => x.status === 200))
        return fail(
          'Expected at least one poll answered 200 with a message.',
          '应至少有一个 poll 以 200 带着消息应答。',
        );
      return true;
    },
    'survive-drop': (wire) => {
      // drop=0: the lab cuts the connection before any answer, so the exchange has no status.
      if (!polls(wire).some((x) => x.query.drop === '0' && x.status === undefined))
        return fail(
          'Expected a poll with drop=0 whose connection was cut before any answer.',
          '应有一个带 drop=0 的 poll，它的连接在应答之前就被切断。',
        );
      return true;
    },
  },
  exercise: {
    step: 'survive-drop',
    check: (wire) => {
      const all = polls(wire);
      const answers = all.map(read).filter((a) => a !== null);
      if (answers.length < 5)
        return fail(
          `Only ${answers.length} polls were answered: the loop stopped early. After a failed request, wait and poll again instead of breaking out.`,
          `只有 ${answers.length} 次 poll 得到应答：循环提前停了。请求失败后，等一会儿再轮询，而不是跳出循环。`,
        );
      // Across all answers, every id once, and no hole between the first and the last.
      const ids = answers.flatMap((a) => a.ids).sort((a, b) => a - b);
      for (let i = 1; i < ids.length; i++) {
        const [before, id] = [ids[i - 1]!, ids[i]!];
        if (id === before)
          return fail(
            `Message ${id} arrived twice: a request went out with a since that was behind. Send the last id you received as since.`,
            `消息 ${id} 收到了两次：某个请求的 since 落在了后面。请把收到的最后一个 id 作为 since 发送。`,
          );
        const forgotten = answers.some((a) => a.missed > 0 && a.ids[0] === id);
        if (id !== before + 1 && !forgotten)
          return fail(
            `Messages ${before + 1}…${id - 1} never arrived: a request skipped ahead. Keep since unchanged when a request fails.`,
            `消息 ${before + 1}…${id - 1} 始终没有收到：某个请求跳过了它们。请求失败时，since 要保持不变。`,
          );
      }
      // The loop survived a cut: a failed poll was asked again with the same since, and answered.
      const cut = all.filter((x) => x.status === undefined && x.query.drop === '0');
      if (cut.length === 0)
        return fail(
          'No poll was cut in this run: keep the every-third-request drop=0 in the URL.',
          '这次运行没有一个 poll 被切断：请保留 URL 中“每第三个请求加 drop=0”的写法。',
        );
      if (!cut.some((x) => answers.some((a) => a.since === Number(x.query.since ?? 0))))
        return fail(
          'After the cut, no poll asked again from the same since. Retry with the cursor you had.',
          '连接被切断后，没有一个 poll 用同一个 since 重新请求。请用原来的游标重试。',
        );
      return true;
    },
  },
});
