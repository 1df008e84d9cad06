/**
 * One inspector channel per page and session, however many parts of the page read it.
 *
 * A lesson page reads its session's capture twice: the inspector panel draws it, and the
 * exercise checks (src/checks/live-capture.ts) judge it. Each with its own WebSocket, every
 * captured byte crossed the wire twice and the server kept two subscriptions; in a class of 300
 * that doubled the capture's cost. Readers of the same session now share one channel
 * (channel.ts): each gets every message and every state change.
 *
 * Each reader still says where it is (`resumeAfter`): the socket resumes after the earliest of
 * them, and a reader skips records it already has (both readers ignore a `seq` they have seen).
 * A reader that joins once records have gone by (it would have missed them) makes the channel
 * reconnect from where that reader is, so it gets its replay as a channel of its own would.
 */
import { type Channel, type ChannelOptions, type ChannelState, openChannel } from './channel.ts';
import type { ChannelMessage } from './protocol.ts';

interface Shared {
  readers: Set<ChannelOptions>;
  channel: Channel | null;
  /** The newest record seq the socket delivered. */
  seen: number;
  state: ChannelState;
  detail: string | undefined;
}

const bySession = new Map<string, Shared>();

/** Opens (or joins) the page's channel for `opts.session`; `close()` leaves it. */
export function shareChannel(opts: ChannelOptions): Channel {
  const key = opts.session;
  let shared = bySession.get(key);
  if (!shared) {
    const fresh: Shared = {
      readers: new Set(),
      channel: null,
      seen: 0,
      state: 'connecting',
      detail: undefined,
    };
    shared = fresh;
    bySession.set(key, fresh);
  }
  const s = shared;
  s.readers.add(opts);

  const start = () => {
    s.seen = 0;
    s.channel = openChannel({
      session: key,
      ...(opts.url ? { url: opts.url } : {}),
      resumeAfter: () => Math.min(...[...s.readers].map((r) => r.resumeAfter())),
      onMessage(m: ChannelMessage) {
        if (m.type === 'records') for (const r of m.records) if (r.seq > s.seen) s.seen = r.seq;
        for (const r of [...s.readers]) r.onMessage(m);
      },
      onState(state, detail) {
        s.state = state;
        s.detail = detail;
        if (state === 'closed') return; // said to each reader as it leaves
        for (const r of [...s.readers]) r.onState(state, detail);
      },
    });
  };

  if (!s.channel) start();
  else if (opts.resumeAfter() < s.seen) {
    // Records went by before this reader came: start over from the earliest reader.
    s.channel.close();
    start();
  } else opts.onState(s.state, s.detail);

  let left = false;
  return {
    get state() {
      return left ? 'closed' : s.state;
    },
    close() {
      if (left) return;
      left = true;
      s.readers.delete(opts);
      opts.onState('closed');
      if (s.readers.size > 0) return;
      s.channel?.close();
      s.channel = null;
      if (bySession.get(key) === s) bySession.delete(key);
    },
  };
}
