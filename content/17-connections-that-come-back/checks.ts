import type { HttpExchange, WireFacts, WsFrame } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** How many ticks the exercise's page must print, whole and in order, across every fault. */
const TICKS = 9;
/** A page whose heartbeat beats every second or two notices a quiet server within this (µs). */
const NOTICE_WITHIN_US = 10_000_000;
/** A wait shorter than this (µs) is no wait: the page came back at once. */
const AT_ONCE_US = 50_000;

/** The WebSocket handshakes to `ws`, in the order they were made. */
const handshakes = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter((x) => x.endpoint === 'ws' && x.method === 'GET').sort((a, b) => a.t - b.t);

const framesOf = (wire: WireFacts, conn: number): WsFrame[] => wire.wsFrames.filter((f) => f.conn === conn);

/** When a connection ended, as the page saw it: its first close frame, or else its last frame (a cut). */
function endOf(wire: WireFacts, conn: number): number | undefined {
  const frames = framesOf(wire, conn);
  return (frames.find((f) => f.opcode === 8) ?? frames.at(-1))?.t;
}

function parse(text: string | undefined): { id?: unknown; type?: unknown } | undefined {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

/** The tick ids that crossed the wire on `ws`. */
const wireTicks = (wire: WireFacts): Set<number> =>
  new Set(
    wire.wsFrames
      .filter((f) => f.dir === 'out' && f.opcode === 1)
      .map((f) => parse(f.text))
      .filter((m) => m?.type === 'tick' && typeof m.id === 'number')
      .map((m) => m?.id as number),
  );

/** The tick ids the page printed (`tick #42: 101.3` or `行情 #42：101.3`), in console order. */
const printedTicks = (wire: WireFacts): number[] =>
  wire.console.flatMap((c) => [...c.text.matchAll(/(?:tick|行情) #(\d+)/g)].map((m) => Number(m[1])));

const ms = (us: number): string => `${Math.round(us / 1000)} ms`;

/**
 * True when the waits show no jitter, within timer noise: through the restarts each wait is twice
 * the one before (±5%), and the waits after a connection that brought messages (each a first
 * attempt) are the same (±50 ms). Either alone happens by chance with half of each wait random;
 * both together, about once in a thousand runs.
 */
function noJitter(streak: number[], firsts: number[]): boolean {
  const doubled = streak.slice(1).every((w, i) => Math.abs(w / (streak[i] ?? 1) - 2) <= 0.1);
  const same = firsts.length < 2 || Math.max(...firsts) - Math.min(...firsts) <= 50_000;
  return streak.length >= 3 && doubled && same;
}

export default defineChecks({
  traffic: {
    backoff: (wire) =>
      handshakes(wire).length >= 3
        ? true
        : fail(
            'Expected at least 3 WebSocket handshakes to ws: the first, and the attempts after the cut.',
            '应当至少有 3 次到 ws 的 WebSocket 握手：第一次，加上被切断之后的几次重连。',
          ),

    heartbeat: (wire) => {
      const pings = wire.wsFrames.filter((f) => f.dir === 'in' && f.opcode === 1 && f.text === 'ping').length;
      const pongs = wire.wsFrames.filter(
        (f) => f.dir === 'out' && f.opcode === 1 && f.text === 'pong',
      ).length;
      return pings >= 3 && pongs >= 3
        ? true
        : fail(
            `Expected at least 3 ping messages from the page and 3 pong answers; saw ${pings} and ${pongs}.`,
            `应当看到页面发出至少 3 条 ping 消息、收到 3 条 pong 回答；实际是 ${pings} 条和 ${pongs} 条。`,
          );
    },

    'half-open': (wire) => {
      const muted = wire.connections.find((c) => c.notes.some((n) => n.startsWith('fault: mute=')));
      if (!muted)
        return fail(
          'Expected a ws connection that went quiet (mute=3 in its URL).',
          '应当有一条沉默下来的 ws 连接（URL 里带 mute=3）。',
        );
      return framesOf(wire, muted.conn).some((f) => f.dir === 'in' && f.opcode === 8)
        ? true
        : fail(
            'The server went quiet, and the page has not closed the connection yet.',
            '服务器已经不出声了，页面却还没有关闭这条连接。',
          );
    },

    comeback: (wire) =>
      handshakes(wire).length > 0
        ? true
        : fail('Expected a WebSocket handshake to ws.', '应当有一次到 ws 的 WebSocket 握手。'),
  },

  exercise: {
    step: 'comeback',
    check: (wire) => {
      const conns = handshakes(wire).filter((x) => x.query.plan !== undefined);
      if (conns.length === 0)
        return fail(
          'No ws connection of this run had plan= in its URL: keep it. It plays the cuts, the restarts and the silence the page must live through.',
          '这次运行里没有一条 ws 连接的 URL 带着 plan=：请保留它。它扮演的正是页面必须挺过去的切断、重启和沉默。',
        );

      // Every tick once, in order, none missing: since= after the last id received.
      const printed = printedTicks(wire);
      const onWire = wireTicks(wire);
      for (const [i, id] of printed.entries()) {
        if (!onWire.has(id))
          return fail(
            `You printed tick #${id}, but no tick with that id crossed the wire in this run.`,
            `你打印了行情 #${id}，但这次运行里没有这个 id 的行情经过线路。`,
          );
        const before = printed[i - 1];
        if (before === undefined) continue;
        if (id === before)
          return fail(
            `Tick #${id} is printed twice: after coming back, the page asked again for what it had. Send since= with the last id received.`,
            `行情 #${id} 被打印了两次：重新连上之后，页面又要了一遍已经收到的内容。请用 since= 带上收到的最后一个 id。`,
          );
        if (id !== before + 1)
          return fail(
            `After tick #${before} comes #${id}: ${id > before ? `#${before + 1} to #${id - 1} were lost between two connections. Send since= with the last id received.` : 'the ticks are out of order.'}`,
            `行情 #${before} 之后是 #${id}：${id > before ? `#${before + 1} 到 #${id - 1} 在两条连接之间丢了。请用 since= 带上收到的最后一个 id。` : '行情的顺序乱了。'}`,
          );
      }

      // The waits before each attempt, from the wire: the end of one connection to the next handshake.
      const waits = conns.slice(1).map((x, i) => {
        const end = endOf(wire, conns[i]?.conn ?? -1);
        return end === undefined ? 0 : x.t - end;
      });
      const hasty = waits.findIndex((w) => w < AT_ONCE_US);
      if (hasty >= 0)
        return fail(
          `Attempt ${hasty + 1} came ${ms(waits[hasty] ?? 0)} after the connection before it ended: at once. A class of 300 doing that hammers a server that is just starting. Wait before each attempt.`,
          `第 ${hasty + 1} 次重连在上一条连接结束后 ${ms(waits[hasty] ?? 0)} 就发出了：等于马上重连。一个三百人的班级都这样做，刚刚启动的服务器就会被压垮。每次重连之前都要等一等。`,
        );
      // Through n restarts in a row (each closed 1013 at once) the ceiling doubles n times: with half
      // of each wait fixed, the wait after them is over 2^(n-1) times the one before them (3 restarts:
      // over 4×; asked: 3×, for timer noise). A page that starts over on open stays under 2×.
      const restarted = conns.map((x) =>
        framesOf(wire, x.conn).some((f) => f.dir === 'out' && f.closeCode === 1013),
      );
      for (let i = 0; i < conns.length; i++) {
        if (!restarted[i] || restarted[i - 1]) continue;
        let j = i;
        while (restarted[j + 1]) j += 1;
        const streak = j - i + 1;
        const before = waits[i - 1];
        const after = waits[j];
        if (streak < 2 || before === undefined || after === undefined) continue;
        if (after < 0.75 * 2 ** (streak - 1) * before)
          return fail(
            `The waits before each attempt did not grow: ${waits.map(ms).join(', ')}. While the server is restarting, double the wait after each failed attempt; start again from the first only once a message arrives (an open alone proves nothing: the server that is restarting opens, then closes).`,
            `每次重连前的等待没有变长：${waits.map(ms).join('、')}。服务器还在重启时，每失败一次就把等待时间翻倍；只有收到了消息才回到最初的等待（光是连上不算数：正在重启的服务器也会先接受连接，再马上关掉）。`,
          );
      }
      const brought = conns.map((x) => framesOf(wire, x.conn).some((f) => f.dir === 'out' && f.opcode === 1));
      const firsts = waits.filter((_, k) => brought[k]);
      const first = restarted.indexOf(true);
      let last = first;
      while (first >= 0 && restarted[last + 1]) last += 1;
      const streak = first > 0 ? waits.slice(first - 1, last + 1) : [];
      if (noJitter(streak, firsts))
        return fail(
          `The waits were ${waits.map(ms).join(', ')}: doubled, with no jitter. Three hundred pages that lost the server together would come back in the same instant, every time. Make part of each wait random.`,
          `等待时间是 ${waits.map(ms).join('、')}：只是翻倍，没有抖动。一起失去服务器的三百个页面，每次都会在同一瞬间一起回来。请让每次等待里有一部分是随机的。`,
        );

      // The muted connection: only the page's own heartbeat can notice it.
      const muted = wire.connections.find((c) => c.notes.some((n) => n.startsWith('fault: mute=')));
      if (muted) {
        const frames = framesOf(wire, muted.conn);
        const quietSince = frames.filter((f) => f.dir === 'out' && f.opcode === 1).at(-1)?.t ?? frames[0]?.t;
        const closedAt = frames.find((f) => f.dir === 'in' && f.opcode === 8)?.t;
        if (closedAt === undefined || quietSince === undefined || closedAt - quietSince > NOTICE_WITHIN_US)
          return fail(
            'The server went quiet without closing, and the page never noticed: no close event comes for such a connection. Send ping every second or so, and close a connection that has said nothing for a few seconds.',
            '服务器不声不响地沉默了，却没有关闭连接，页面一直没有察觉：这样的连接不会有 close 事件。请每隔一秒左右发一次 ping，一条连接几秒钟都没有任何消息，就把它关掉。',
          );
      }

      if (printed.length < TICKS)
        return fail(
          `The page printed ${printed.length} of ${TICKS} ticks so far.`,
          `页面目前只打印了 ${TICKS} 条中的 ${printed.length} 条。`,
        );
      if (!muted)
        return fail(
          'No connection went quiet in this run: keep the whole plan= in the URL, mute2 included.',
          '这次运行里没有一条连接沉默下来：请在 URL 里保留完整的 plan=，包括 mute2。',
        );
      return true;
    },
  },
});
