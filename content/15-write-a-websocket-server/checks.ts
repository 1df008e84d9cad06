import type { HttpExchange, Verdict, WireFacts, WsFrame } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

const TEXT = 1;
const CLOSE = 8;

/** The WebSockets the learner's handler accepted (`mine/…`, answered 101), in the order they opened. */
const sockets = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter((e) => e.endpoint.startsWith('mine') && e.status === 101);

const framesOf = (wire: WireFacts, conn: number): WsFrame[] => wire.wsFrames.filter((f) => f.conn === conn);

/** When a connection's closing handshake began (its first close frame, either way), or Infinity. */
const closedAt = (wire: WireFacts, conn: number): number =>
  framesOf(wire, conn).find((f) => f.opcode === CLOSE)?.t ?? Number.POSITIVE_INFINITY;

/** Whether a frame the server sent carries `text`: inside its text, or as a string value of its JSON. */
function carries(frame: WsFrame, text: string): boolean {
  if (frame.dir !== 'out' || frame.opcode !== TEXT || frame.text === undefined) return false;
  if (frame.text.includes(text)) return true;
  try {
    return Object.values(JSON.parse(frame.text) as Record<string, unknown>).includes(text);
  } catch {
    return false;
  }
}

/** Whether a frame the server sent announces that someone left (JSON `type: 'leave'`, or in words). */
function announcesLeave(frame: WsFrame): boolean {
  if (frame.dir !== 'out' || frame.opcode !== TEXT || frame.text === undefined) return false;
  try {
    const m = JSON.parse(frame.text) as { type?: unknown };
    if (m && typeof m === 'object' && m.type === 'leave') return true;
  } catch {}
  return /\bleft\b|\bleaves?\b|离开|走了/i.test(frame.text);
}

/** The first close frame the handler sent with 1011: the sandbox closes a socket whose handler threw. */
function threw(wire: WireFacts, conns: number[]): WsFrame | undefined {
  return wire.wsFrames.find(
    (f) => conns.includes(f.conn) && f.dir === 'out' && f.opcode === CLOSE && f.closeCode === 1011,
  );
}

/**
 * A room's promise, read from the frames: each text message a browser sent on one socket reached
 * every other socket that was open then exactly once, and one sender's messages in the order it
 * sent them; the sender may hear itself (at most once). Returns the verdict and how many
 * deliveries to others it saw.
 */
function roomDelivery(wire: WireFacts): { verdict: Verdict; delivered: number } {
  const socks = sockets(wire);
  let delivered = 0;
  for (const from of socks) {
    const said = framesOf(wire, from.conn).filter((f) => f.dir === 'in' && f.opcode === TEXT && f.text);
    for (const to of socks) {
      const heard = framesOf(wire, to.conn).filter((f) => f.dir === 'out' && f.opcode === TEXT);
      let last = -1;
      for (const m of said) {
        const text = m.text!;
        const at = heard.filter((f) => carries(f, text));
        if (to === from) {
          if (at.length > 1)
            return {
              verdict: fail(
                `Connection ${from.conn} heard its own "${text}" ${at.length} times.`,
                `连接 ${from.conn} 把自己说的 "${text}" 听到了 ${at.length} 次。`,
              ),
              delivered,
            };
          continue;
        }
        // Only sockets that had joined before the message and had not begun to close.
        if (to.t > m.t || closedAt(wire, to.conn) < m.t) continue;
        if (at.length === 0)
          return {
            verdict: fail(
              `"${text}", sent on connection ${from.conn}, never reached connection ${to.conn}, which was open. Send each message to every member of the room.`,
              `"${text}" 是从连接 ${from.conn} 发出的，却始终没有到达当时开着的连接 ${to.conn}。请把每条消息发给房间里的每个成员。`,
            ),
            delivered,
          };
        if (at.length > 1)
          return {
            verdict: fail(
              `"${text}" reached connection ${to.conn} ${at.length} times; once is right.`,
              `"${text}" 到达连接 ${to.conn} ${at.length} 次；应当只有一次。`,
            ),
            delivered,
          };
        const index = heard.indexOf(at[0]!);
        if (index < last)
          return {
            verdict: fail(
              `Connection ${to.conn} heard "${text}" before a message connection ${from.conn} had sent earlier.`,
              `连接 ${to.conn} 先听到了 "${text}"，而连接 ${from.conn} 更早发出的那条消息反而在后面。`,
            ),
            delivered,
          };
        last = index;
        delivered++;
      }
    }
  }
  return { verdict: true, delivered };
}

export default defineChecks({
  traffic: {
    echo: (wire) => {
      const socket = sockets(wire)[0];
      if (!socket)
        return fail(
          "No WebSocket to mine/…: deploy your handler, then open new WebSocket('mine/echo').",
          "没有连到 mine/… 的 WebSocket：先部署你的处理程序，再打开 new WebSocket('mine/echo')。",
        );
      const frames = framesOf(wire, socket.conn);
      const said = frames.find((f) => f.dir === 'in' && f.opcode === TEXT);
      if (!said) return fail('The browser sent no text frame.', '浏览器没有发出文本帧。');
      if (!said.masked || frames.some((f) => f.dir === 'out' && f.masked))
        return fail(
          'Frames from the browser must be masked and frames from the server not (RFC 6455 §5.1).',
          '浏览器发出的帧必须带掩码，服务器发出的帧不能带（RFC 6455 §5.1）。',
        );
      if (!frames.some((f) => f.dir === 'out' && f.opcode === TEXT && f.text === said.text))
        return fail(
          `"${said.text}" did not come back: ws.send(data) in message() sends it back.`,
          `"${said.text}" 没有被发回来：在 message() 里调用 ws.send(data) 就能把它发回去。`,
        );
      const first = frames.find((f) => f.opcode === CLOSE);
      if (!first)
        return fail(
          'No close frame yet: the handler closes with ws.close(code, reason).',
          '还没有关闭帧：处理程序应当调用 ws.close(code, reason) 关闭连接。',
        );
      if (first.dir === 'in')
        return fail(
          `The browser closed first (code ${first.closeCode ?? 'none'}); in this step the handler closes, with a code of its own.`,
          `是浏览器先关闭的（关闭码 ${first.closeCode ?? '无'}）；这一步应当由处理程序用自己选的关闭码先关闭。`,
        );
      if (first.closeCode === undefined)
        return fail(
          'The server’s close frame carries no code: pass one to ws.close(code, reason).',
          '服务器的关闭帧里没有关闭码：请给 ws.close(code, reason) 传一个。',
        );
      return true;
    },

    room: (wire) => {
      if (sockets(wire).length < 2)
        return fail(
          'Open two or more WebSockets to mine/room: one per person.',
          '请打开两个或更多连到 mine/room 的 WebSocket：每人一个。',
        );
      const { verdict, delivered } = roomDelivery(wire);
      if (verdict !== true) return verdict;
      if (delivered === 0)
        return fail('No message reached another socket yet.', '还没有哪条消息到达另一条连接。');
      return true;
    },

    leave: (wire) => {
      const socks = sockets(wire);
      if (socks.length < 2)
        return fail(
          'Open two or more WebSockets to mine/room: one per person.',
          '请打开两个或更多连到 mine/room 的 WebSocket：每人一个。',
        );
      if (!socks.some((s) => framesOf(wire, s.conn).some((f) => f.dir === 'in' && f.opcode === CLOSE)))
        return fail('Nobody has left the room yet.', '还没有人离开房间。');
      return true;
    },
  },

  exercise: {
    step: 'leave',
    check: (wire) => {
      const socks = sockets(wire);
      if (socks.length < 2)
        return fail(
          'Open two or more WebSockets to mine/room: one per person.',
          '请打开两个或更多连到 mine/room 的 WebSocket：每人一个。',
        );
      const cut = threw(
        wire,
        socks.map((s) => s.conn),
      );
      if (cut)
        return fail(
          `The server closed connection ${cut.conn} with 1011 ("${cut.text ?? ''}"): your handler threw while answering it (the console has the line). Sending on a socket that has left throws: take it out of the room in close().`,
          `服务器以 1011 关闭了连接 ${cut.conn}（"${cut.text ?? ''}"）：处理它的消息时，你的处理程序抛出了异常（控制台里有出错的行）。往已经离开的连接上发送会抛出异常：请在 close() 里把它移出房间。`,
        );
      const { verdict } = roomDelivery(wire);
      if (verdict !== true) return verdict;
      // Someone left (the browser closed it) while another stayed and spoke afterwards.
      let tested = false;
      for (const gone of socks) {
        const left = framesOf(wire, gone.conn).find((f) => f.dir === 'in' && f.opcode === CLOSE);
        if (!left) continue;
        for (const stay of socks) {
          if (stay === gone) continue;
          const frames = framesOf(wire, stay.conn);
          if (!frames.some((f) => f.dir === 'in' && f.opcode === TEXT && f.t > left.t)) continue;
          tested = true;
          if (!frames.some((f) => f.t > left.t && announcesLeave(f)))
            return fail(
              `Connection ${gone.conn} left (close ${left.closeCode ?? 'without a code'}), but connection ${stay.conn}, still in the room, was never told. In close(), tell the others who left.`,
              `连接 ${gone.conn} 离开了（关闭码 ${left.closeCode ?? '无'}），可还在房间里的连接 ${stay.conn} 一直没有得到通知。请在 close() 里告诉其他人谁走了。`,
            );
        }
      }
      if (!tested)
        return fail(
          'Let one person leave while the others stay and speak afterwards.',
          '请让一个人先离开，其他人留下来，之后再说话。',
        );
      return true;
    },
  },
});
