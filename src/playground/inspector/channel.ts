/**
 * The inspector channel's client: a WebSocket to `/inspect/<session>` that replays the
 * session's capture and then streams it live (docs/inspector-protocol.md).
 *
 * When the socket drops (the laptop slept, the server restarted, the Wi-Fi blinked) it
 * reconnects with a growing delay and asks only for what it has not seen:
 * `?after=<last seq applied>`. The panel hears every state change, so it can say
 * "reconnecting…" and "reconnected" instead of silently showing a frozen capture.
 */
import { createBackoff } from '../backoff.ts';
import { type ChannelMessage, parseBinaryMessage, parseMessage } from './protocol.ts';

export type ChannelState =
  /** First connection attempt. */
  | 'connecting'
  /** Connected, replaying what the server kept. */
  | 'replaying'
  /** Connected and caught up: records arrive as they happen. */
  | 'live'
  /** The socket dropped; trying again. */
  | 'reconnecting'
  /** The server speaks a newer protocol than this page: reload. No retry. */
  | 'refused'
  /** Closed by us. */
  | 'closed';

export interface ChannelOptions {
  session: string;
  /** Receives each message, in order. */
  onMessage(message: ChannelMessage): void;
  /** Hears every state change; `detail` says why for `refused`. */
  onState(state: ChannelState, detail?: string): void;
  /** The last seq applied (0: none), asked at each (re)connect for `?after=`. */
  resumeAfter(): number;
  /**
   * Builds the WebSocket URL (tests point it elsewhere); `capture`: the capture id of the last
   * hello, sent back so the server can tell a session begun again from the one we read.
   */
  url?: (session: string, after: number, capture?: string, version?: number) => string;
}

/**
 * Protocol version this page asks for (`v=`) and speaks; a hello with a higher major version is
 * refused. A server that knows only version 1 ignores `v=` and sends text frames, read as well.
 */
export const PROTOCOL_VERSION = 3;
/**
 * Asked for after an attempt that never opened: a server from before version 3 (during a rolling
 * upgrade, behind one proxy with newer ones) refuses `v=3` with 400, and speaks version 2.
 */
export const FALLBACK_VERSION = 2;
/**
 * Every close is worth a retry: 1001 (server restarting), 1006 (network), 1008 (we fell
 * behind: resume after the last seq), 1013 (too many inspectors: try again later). Waits are
 * jittered (backoff.ts) so a class's inspectors do not all come back at the same moment.
 */
const BACKOFF = { baseMs: 500, capMs: 8_000 };

export interface Channel {
  readonly state: ChannelState;
  close(): void;
}

/** The default URL: same host as the page, ws: or wss: to match it. */
export function inspectUrl(
  session: string,
  after: number,
  capture?: string,
  version: number = PROTOCOL_VERSION,
): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let query = `?v=${version}`;
  if (after > 0) query += `&after=${after}`;
  if (after > 0 && capture) query += `&capture=${encodeURIComponent(capture)}`;
  return `${scheme}//${location.host}/inspect/${encodeURIComponent(session)}${query}`;
}

/** Opens the channel; it keeps itself open until `close()`. */
export function openChannel(opts: ChannelOptions): Channel {
  const url = opts.url ?? inspectUrl;
  let state: ChannelState = 'connecting';
  let ws: WebSocket | undefined;
  const backoff = createBackoff(BACKOFF);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  /** The capture id the last hello named: its seqs are the ones `resumeAfter` counts in. */
  let capture: string | undefined;
  /**
   * The version to ask for: kept while attempts open, switched between PROTOCOL_VERSION and
   * FALLBACK_VERSION after one that never did (a server that is down fails either way).
   */
  let version = PROTOCOL_VERSION;

  const setState = (s: ChannelState, detail?: string) => {
    if (s === state && detail === undefined) return;
    state = s;
    opts.onState(s, detail);
  };

  const connect = () => {
    timer = undefined;
    const socket = new WebSocket(url(opts.session, opts.resumeAfter(), capture, version));
    ws = socket;
    let opened = false;
    // Records come in binary frames (versions 2 and 3): their bytes as they are, no base64 to decode.
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      opened = true;
      setState('replaying');
    });
    socket.addEventListener('message', (ev: MessageEvent) => {
      opened = true; // a socket the server spoke on had opened, whatever events came first
      const data: unknown = ev.data;
      const m =
        typeof data === 'string'
          ? parseMessage(data)
          : data instanceof ArrayBuffer
            ? parseBinaryMessage(data)
            : null;
      if (!m) return;
      if (m.type === 'hello' && Math.floor(Number(m.v)) > PROTOCOL_VERSION) {
        stopped = true;
        setState('refused', 'version');
        socket.close(1000);
        return;
      }
      if (m.type === 'hello') capture = typeof m.capture === 'string' ? m.capture : undefined;
      opts.onMessage(m);
      if (m.type === 'live') {
        // A good connection: the server took us and we caught up (one that closes at once, 1013,
        // never gets here, and keeps backing off).
        backoff.reset();
        setState('live');
      }
    });
    socket.addEventListener('close', (ev: CloseEvent) => {
      if (ws !== socket) return;
      ws = undefined;
      if (stopped) return;
      if (!opened) version = version === PROTOCOL_VERSION ? FALLBACK_VERSION : PROTOCOL_VERSION;
      setState('reconnecting', ev.reason || undefined);
      timer = setTimeout(connect, backoff.next());
    });
  };

  opts.onState(state);
  connect();

  return {
    get state() {
      return state;
    },
    close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const s = ws;
      ws = undefined;
      s?.close(1000);
      setState('closed');
    },
  };
}
