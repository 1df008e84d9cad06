import type { HttpExchange, Verdict, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** A chat message as the learner's handler gives it (a feed message: docs/lab-api.md). */
interface Message {
  id: number;
  data: unknown;
}

/** One poll of the run, read from the wire. */
interface Poll {
  x: HttpExchange;
  /** The `since` the client sent, as it appeared in the query. */
  since: string;
  /** The answer's messages and cursor; null while unanswered (held, or cut). */
  answer: { messages: Message[]; last: unknown } | null;
}

const onWire = (wire: WireFacts, endpoint: string, method: string): HttpExchange[] =>
  wire.exchanges.filter((x) => x.endpoint === endpoint && x.method === method);

/** What this run said through `POST mine/send`, in order: the bodies the feed was given. */
const sent = (wire: WireFacts): HttpExchange[] =>
  onWire(wire, 'mine/send', 'POST').filter((x) => x.status !== undefined && x.status < 300);

/** The body of a poll's answer when it is `{"messages": [...], "last": …}`; null otherwise. */
function answerOf(x: HttpExchange): Poll['answer'] {
  try {
    const body = JSON.parse(x.responseBody) as { messages?: unknown; last?: unknown };
    if (!Array.isArray(body.messages)) return null;
    return { messages: body.messages as Message[], last: body.last };
  } catch {
    return null;
  }
}

/**
 * The run's polls in the order they were asked, each with its answer. A poll answered with
 * anything but a 200 and `{"messages", "last"}` is a verdict of its own: what came, in both languages.
 */
function readPolls(wire: WireFacts): Poll[] | Verdict {
  const polls: Poll[] = [];
  for (const x of onWire(wire, 'mine/poll', 'GET')) {
    const since = x.query.since ?? '';
    if (x.status === undefined || !x.complete) {
      polls.push({ x, since, answer: null });
      continue;
    }
    const answer = x.status === 200 ? answerOf(x) : null;
    if (!answer) {
      const came = `${x.status} ${x.responseBody.split('\n')[0]?.slice(0, 120) ?? ''}`.trim();
      return fail(
        `The poll since=${since} was answered “${came}”. Every poll answers 200 with JSON {"messages": [...], "last": …}.`,
        `since=${since} 的轮询得到的应答是“${came}”。每次轮询都应以 200 和 JSON {"messages": [...], "last": …} 应答。`,
      );
    }
    polls.push({ x, since, answer });
  }
  return polls;
}

/** The text a chat message carries, as the client sent it. */
const textOf = (m: Message): string => (typeof m.data === 'string' ? m.data : JSON.stringify(m.data));

/** Polls answered with at least one message sent after the poll itself went out: held, then answered. */
const heldAndAnswered = (polls: Poll[], sends: HttpExchange[]): Poll[] =>
  polls.filter((p) =>
    p.answer?.messages.some((m) => sends.some((s) => s.t > p.x.t && s.requestBody === textOf(m))),
  );

const isVerdict = (v: Poll[] | Verdict): v is Verdict => !Array.isArray(v);

export default defineChecks({
  traffic: {
    hold: (wire) => {
      const polls = readPolls(wire);
      if (isVerdict(polls)) return polls;
      const held = heldAndAnswered(polls, sent(wire));
      if (held.length < 2)
        return fail(
          `Expected at least 2 polls of mine/poll held until a message was sent, then answered with it; saw ${held.length}.`,
          `应至少有 2 次 mine/poll 轮询被挂住，直到有消息发出，再用这条消息应答；实际只有 ${held.length} 次。`,
        );
      return true;
    },
    cursor: (wire) => {
      const polls = readPolls(wire);
      if (isVerdict(polls)) return polls;
      // A message sent before a poll went out, brought by that poll: read from the feed after
      // since. A handler that only listens for new messages never sees it.
      const sends = sent(wire);
      const caughtUp = polls.some((p) =>
        p.answer?.messages.some((m) => sends.some((s) => s.t < p.x.t && s.requestBody === textOf(m))),
      );
      if (!caughtUp)
        return fail(
          'Expected a message sent before a poll went out (while no poll was waiting) to come in that poll’s answer; none did.',
          '在某次轮询发出之前（没有轮询等着的时候）发出的消息，应出现在那次轮询的应答里；实际一条也没有。',
        );
      return true;
    },
    timeout: (wire) => {
      const polls = readPolls(wire);
      if (isVerdict(polls)) return polls;
      if (!polls.some((p) => (p.answer?.messages.length ?? 0) > 0))
        return fail(
          'Expected at least one poll of mine/poll answered with a message.',
          '应至少有一次 mine/poll 轮询带着消息得到应答。',
        );
      return true;
    },
  },
  exercise: {
    step: 'timeout',
    check: (wire) => {
      const polls = readPolls(wire);
      if (isVerdict(polls)) return polls;
      if (polls.length === 0)
        return fail(
          'No request reached mine/poll: Run the step, with your handler deployed.',
          '没有请求到达 mine/poll：请运行这一步，让你的处理函数部署上去。',
        );
      // The cursor: every answer gives one, and each poll asks from where the answer before it said to.
      const noCursor = polls.find((p) => p.answer && !Number.isInteger(p.answer.last));
      if (noCursor)
        return fail(
          `The answer to since=${noCursor.since} gave last: ${JSON.stringify(noCursor.answer?.last) ?? 'nothing'}. Every answer, the empty one too, must give the cursor to send next: last, a message id.`,
          `since=${noCursor.since} 的应答给出的 last 是 ${JSON.stringify(noCursor.answer?.last) ?? '空'}。每个应答（空的也一样）都要给出下次该发的游标：last，一个消息 id。`,
        );
      for (let i = 1; i < polls.length; i++) {
        const before = polls[i - 1]?.answer;
        const poll = polls[i];
        if (!before || !poll) continue;
        if (poll.since !== String(before.last))
          return fail(
            `A poll went out with since=${poll.since} after an answer whose last was ${JSON.stringify(before.last)}. Every answer, the empty one too, must give the cursor to send next: last, the id of the newest message the client now has.`,
            `上一个应答的 last 是 ${JSON.stringify(before.last)}，下一次轮询发出的却是 since=${poll.since}。每个应答（空的也一样）都要给出下次该发的游标：last，也就是客户端手里最新一条消息的 id。`,
          );
      }
      // Every message once, in order, across all the answers.
      let newest = 0;
      for (const p of polls)
        for (const m of p.answer?.messages ?? []) {
          if (m.id <= newest)
            return fail(
              `Message #${m.id} came again, or out of order, in the answer to since=${p.since}: answer only with the messages after since, oldest first.`,
              `消息 #${m.id} 在 since=${p.since} 的应答里重复出现或顺序颠倒：只用 since 之后的消息应答，旧的在前。`,
            );
          newest = m.id;
        }
      // The timeout: the quiet poll was answered empty instead of held for ever.
      if (!polls.some((p) => p.answer?.messages.length === 0)) {
        const waiting = polls.find((p) => p.answer === null);
        const still = waiting ? ` (the poll since=${waiting.since} is still waiting)` : '';
        const stillZh = waiting ? `（since=${waiting.since} 的轮询还在等）` : '';
        return fail(
          `No poll came back empty${still}. While nothing is sent, your handler must still answer after TIMEOUT_MS, with an empty list and the cursor to send next, instead of holding the request for ever.`,
          `没有一次轮询以空列表返回${stillZh}。没有消息发来的时候，你的处理函数也必须在 TIMEOUT_MS 之后应答：一个空列表和下次该发的游标，而不是把请求永远挂着。`,
        );
      }
      // Long polling, not short polling: a poll waited for a message and was answered with it.
      const sends = sent(wire);
      if (heldAndAnswered(polls, sends).length === 0)
        return fail(
          'No poll waited for a message: each was answered at once. Hold the request (feed.subscribe) until a chat message comes or the time is up.',
          '没有一次轮询是等到消息才应答的：全都立即返回了。请把请求挂住（feed.subscribe），直到来了聊天消息或时间到了。',
        );
      // Nothing lost: every message the run sent came in some answer.
      const brought = new Set(polls.flatMap((p) => p.answer?.messages.map(textOf) ?? []));
      const lost = sends.find((s) => !brought.has(s.requestBody));
      if (lost)
        return fail(
          `“${lost.requestBody}” was sent (POST mine/send) but no poll brought it. A message that comes while no poll waits is in the feed: answer at once with what came after since.`,
          `“${lost.requestBody}”已经发出（POST mine/send），却没有一次轮询把它带回来。没有轮询等着的时候到来的消息还在消息流里：先读出 since 之后的消息，有就立即应答。`,
        );
      return true;
    },
  },
});
