import type { HttpExchange, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

/** Chat messages the browser posted to a room: the room code and the text. */
function posted(wire: WireFacts): Array<{ room: string; text: string }> {
  return wire.exchanges
    .filter((e) => e.endpoint === 'send' && e.method === 'POST' && e.status === 200 && e.query.room)
    .map((e) => ({ room: e.query.room!, text: e.requestBody }));
}

/** The reader request (sse, ws, poll, news, stream) a connection carried for a room. */
const readerOn = (wire: WireFacts, conn: number, room: string): HttpExchange | undefined =>
  wire.exchanges.find((e) => e.conn === conn && e.query.room === room && e.endpoint !== 'send');

/** Chat texts a room's feed brought back to the browser, whatever the transport. */
function delivered(wire: WireFacts, room: string): string[] {
  const texts: string[] = [];
  for (const s of wire.sseEvents) if (s.type === 'chat' && readerOn(wire, s.conn, room)) texts.push(s.data);
  const chats = (value: unknown): void => {
    const m = value as { type?: unknown; data?: unknown };
    if (m?.type === 'chat') texts.push(typeof m.data === 'string' ? m.data : JSON.stringify(m.data));
  };
  for (const f of wire.wsFrames) {
    if (f.dir !== 'out' || f.opcode !== 1 || f.text === undefined || !readerOn(wire, f.conn, room)) continue;
    try {
      chats(JSON.parse(f.text));
    } catch {}
  }
  for (const e of wire.exchanges) {
    if (e.query.room !== room || e.status !== 200) continue;
    if (e.endpoint === 'poll' || e.endpoint === 'news') {
      try {
        for (const m of (JSON.parse(e.responseBody) as { messages: unknown[] }).messages) chats(m);
      } catch {}
    } else if (e.endpoint === 'stream') {
      for (const line of e.responseBody.split('\n')) {
        try {
          chats(JSON.parse(line));
        } catch {}
      }
    }
  }
  return texts;
}

export default defineChecks({
  traffic: {
    'sse-chat': (wire) => {
      const sent = posted(wire)[0];
      if (!sent) return fail('No message posted to send?room=….', '没有向 send?room=… 发送消息。');
      const stream = wire.exchanges.find(
        (e) => e.endpoint === 'sse' && e.query.room === sent.room && e.status === 200,
      );
      if (!stream) return fail(`No SSE stream of room ${sent.room}.`, `没有房间 ${sent.room} 的 SSE 流。`);
      if (!delivered(wire, sent.room).includes(sent.text))
        return fail('The message did not come back on the stream.', '消息没有经由事件流回来。');
      return true;
    },

    'ws-chat': (wire) => {
      const socket = wire.exchanges.find((e) => e.endpoint === 'ws' && e.query.room && e.status === 101);
      if (!socket) return fail('No WebSocket to ws?room=….', '没有连接到 ws?room=… 的 WebSocket。');
      const said = wire.wsFrames.find((f) => f.conn === socket.conn && f.dir === 'in' && f.opcode === 1);
      if (!said?.text) return fail('Nothing was said on the socket.', '这个 WebSocket 上没有发出任何消息。');
      if (!delivered(wire, socket.query.room!).includes(said.text))
        return fail('The message did not come back as a chat frame.', '消息没有以 chat 帧的形式回来。');
      return true;
    },

    'poll-chat': (wire) => {
      const sent = posted(wire)[0];
      if (!sent) return fail('No message posted to send?room=….', '没有向 send?room=… 发送消息。');
      const polls = wire.exchanges.filter((e) => e.endpoint === 'poll' && e.query.room === sent.room);
      if (polls.length === 0 || polls.some((e) => e.query.since === undefined))
        return fail('Every poll of the room should say since=.', '对房间的每次轮询都应带上 since=。');
      if (!delivered(wire, sent.room).includes(sent.text))
        return fail('The message did not come back in a poll answer.', '消息没有出现在轮询的应答里。');
      return true;
    },

    chat: (wire) => {
      if (posted(wire).length === 0)
        return fail('No message posted to send?room=….', '没有向 send?room=… 发送消息。');
      return true;
    },
  },

  exercise: {
    step: 'chat',
    check: (wire) => {
      const sent = posted(wire);
      if (sent.length === 0)
        return fail(
          'Send a message: POST it to send?room=<code>.',
          '先发一条消息：POST 到 send?room=<房间码>。',
        );
      for (const { room, text } of sent) if (delivered(wire, room).includes(text)) return true;
      const { room, text } = sent[0]!;
      return fail(
        `You posted "${text}" to room ${room}, but no reader of that room brought it back. Open an EventSource (sse?room=${room}), a WebSocket (ws?room=${room}) or a long poll before sending, and show the message when it arrives.`,
        `你向房间 ${room} 发送了 "${text}"，但这个房间没有任何读取方把它带回来。请在发送前打开 EventSource（sse?room=${room}）、WebSocket（ws?room=${room}）或长轮询，等消息到达时再显示它。`,
      );
    },
  },
});
