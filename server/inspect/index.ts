/**
 * The inspector channel: a WebSocket at `/inspect/<session>[?after=<seq>]` that
 * streams one session's capture — replay, then live (protocol: channel.ts,
 * protocol.ts, docs/inspector-protocol.md).
 *
 * Knowing the session id is the capability: ids are random, unguessable
 * secrets chosen by the learner's browser (session-path.ts), so there is no
 * other check — no cookie, no Origin allow-list — and a teacher's script can
 * read a session it was given the id of. Never log or show ids where others
 * can read them.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Capture } from '../capture/index.ts';
import type { Config } from '../config.ts';
import { parseInspectPath } from '../session-path.ts';
import { type ChannelLimits, InspectorChannel } from './channel.ts';
import { type ProtocolVersion, SUPPORTED_VERSIONS } from './protocol.ts';
import type { Turns } from '../turns.ts';

export interface Inspector {
  /**
   * Answers an upgrade whose path starts with `/inspect/`: 400 (plain text) for
   * a bad session id or `after`, 503 while shutting down, else the channel.
   * Returns false, touching nothing, for any other path.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Closes every channel with 1001; resolves when they are gone (1 s at most). */
  close(): Promise<void>;
  /** True while at least one channel reads `session` (the lab counts such a session as real work). */
  watched(session: string): boolean;
  /** Returns how many channels are open, and the bytes queued to them unsent (bounded per channel). */
  stats(): { channels: number; bufferedBytes: number };
}

type InspectorConfig = Pick<
  Config,
  | 'captureBytesPerSession'
  | 'captureBytesTotal'
  | 'maxInspectorsPerSession'
  | 'inspectorSustainedBatchMs'
  | 'maxInspectorsPerAddress'
  | 'maxInspectors'
  | 'inspectorBatchMs'
  | 'inspectorMaxBufferedBytes'
  | 'inspectorStallMs'
>;

export interface InspectorOptions {
  /**
   * Whether this process took `session` over from another Wire Lab process that held it (many
   * processes behind one proxy share a Redis, docs/scale.md): the hello then says `moved: true`,
   * so the page can tell the learner why the records before the move are gone. Called once per
   * channel, before it opens. A promise (the process asks the shared store, the channel's
   * reconnect being the first it sees of the session) holds the upgrade until it settles, so it
   * must settle promptly; rejected: not moved. Absent (one process): never.
   */
  movedFrom?(session: string): boolean | Promise<boolean>;
  /**
   * Where channels' frames go when they come due (server/turns.ts): a class's channels batch the
   * same pushes and come due together. Absent: each channel sends when due.
   */
  turns?: Turns;
}

/** What a checked upgrade asks for: whose capture, from where, and who asks. */
interface Asked {
  readonly session: string;
  readonly after: number;
  readonly capture: string | null;
  readonly address: string;
  /** `v=`: 1 (records as JSON, bytes in base64) unless the reader asks for 2 or 3 (binary records frames). */
  readonly version: ProtocolVersion;
}

/** Heartbeat: a ping this often; an inspector that has not answered the previous one is cut. */
const PING_MS = 30_000;

/**
 * Returns the inspector channel for `capture`, bounded by `cfg`; `addressOf` names who opened a
 * channel (client-address.ts), for `maxInspectorsPerAddress`; `options.movedFrom` says whether a
 * session came from another process.
 */
export function createInspector(
  cfg: InspectorConfig,
  capture: Capture,
  addressOf: (req: IncomingMessage) => string,
  options: InspectorOptions = {},
): Inspector {
  const limits: ChannelLimits = {
    captureBytesPerSession: cfg.captureBytesPerSession,
    captureBytesTotal: cfg.captureBytesTotal,
    inspectorsPerSession: cfg.maxInspectorsPerSession,
    batchMs: cfg.inspectorBatchMs,
    sustainedBatchMs: cfg.inspectorSustainedBatchMs,
    maxBufferedBytes: cfg.inspectorMaxBufferedBytes,
    stallMs: cfg.inspectorStallMs,
  };
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false, // zlib per socket fragments memory, and captured bytes compress poorly
    maxPayload: 4 * 1024, // the reader sends nothing we read
  });
  const bySession = new Map<string, Set<InspectorChannel>>();
  const alive = new WeakSet<object>();
  /** Open channels per client address (only addresses with at least one). */
  const byAddress = new Map<string, number>();
  let open = 0;
  let closing = false;

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, PING_MS);
  heartbeat.unref();

  /** The hook's answer; a hook that throws or rejects (its store is away) must not take the channel down. */
  function movedFrom(session: string): boolean | Promise<boolean> {
    try {
      const answer = options.movedFrom?.(session) ?? false;
      return typeof answer === 'boolean'
        ? answer
        : answer.then(
            (moved) => moved === true,
            () => false,
          );
    } catch {
      return false;
    }
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://inspect.invalid');
    } catch {
      return false;
    }
    if (!url.pathname.startsWith('/inspect/')) return false;
    socket.on('error', () => socket.destroy()); // a reset mid-handshake must not crash the server
    const session = parseInspectPath(url.pathname);
    if (session === null) {
      refuse(
        socket,
        400,
        'The session id in /inspect/<session> must be 8 to 64 characters from A-Z, a-z, 0-9, "_" and "-".',
      );
      return true;
    }
    const afterParam = url.searchParams.get('after');
    if (afterParam !== null && !/^\d{1,15}$/.test(afterParam)) {
      refuse(socket, 400, 'after= must be the seq of the last record you have (a whole number), or absent.');
      return true;
    }
    const captureParam = url.searchParams.get('capture') || null; // `capture=` (empty): not said
    if (captureParam !== null && !/^[A-Za-z0-9_.-]{1,64}$/.test(captureParam)) {
      refuse(
        socket,
        400,
        'capture= must be the capture id a hello gave you (up to 64 of A-Z a-z 0-9 . _ -), or absent.',
      );
      return true;
    }
    const versionParam = url.searchParams.get('v');
    if (versionParam !== null && !SUPPORTED_VERSIONS.includes(Number(versionParam) as ProtocolVersion)) {
      refuse(
        socket,
        400,
        `v= must be a version of the protocol this server speaks (${SUPPORTED_VERSIONS.slice(0, -1).join(', ')} or ${SUPPORTED_VERSIONS.at(-1)}), or absent (1).`,
      );
      return true;
    }
    if (closing) {
      refuse(socket, 503, 'The server is shutting down; reconnect in a moment.');
      return true;
    }
    const asked: Asked = {
      session,
      after: Number(afterParam ?? 0),
      capture: captureParam,
      address: addressOf(req),
      version: versionParam === null ? 1 : (Number(versionParam) as ProtocolVersion),
    };
    const moved = movedFrom(session);
    if (typeof moved === 'boolean') accept(req, socket, head, asked, moved);
    else
      void moved.then((answer) => {
        if (closing) refuse(socket, 503, 'The server is shutting down; reconnect in a moment.');
        else accept(req, socket, head, asked, answer);
      });
    return true;
  }

  /** Opens the channel on a checked upgrade, within the bounds (1013 over them). */
  function accept(req: IncomingMessage, socket: Duplex, head: Buffer, asked: Asked, moved: boolean): void {
    const { session, address } = asked;
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate()); // without a listener an error would crash the process
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      // RFC 6455 §7.4 / IANA: 1013 "Try Again Later". Reasons stay under 123 bytes.
      if (open >= cfg.maxInspectors) {
        ws.close(1013, `server has ${cfg.maxInspectors} inspectors (maxInspectors); retry in a minute`);
        return;
      }
      if ((byAddress.get(address) ?? 0) >= cfg.maxInspectorsPerAddress) {
        ws.close(
          1013,
          `too many inspectors from your address (maxInspectorsPerAddress ${cfg.maxInspectorsPerAddress}); close some`,
        );
        return;
      }
      const channels = bySession.get(session) ?? new Set<InspectorChannel>();
      if (channels.size >= cfg.maxInspectorsPerSession) {
        ws.close(1013, `too many inspectors on this session (max ${cfg.maxInspectorsPerSession}); close one`);
        return;
      }
      bySession.set(session, channels);
      open += 1;
      byAddress.set(address, (byAddress.get(address) ?? 0) + 1);
      let channel: InspectorChannel | undefined;
      const sub = capture.subscribe(session, {
        wake: () => channel?.wake(),
        forgotten: (info) => channel?.forgotten(info),
      });
      channel = new InspectorChannel(
        ws,
        sub,
        limits,
        {
          after: asked.after,
          capture: asked.capture,
          moved,
          version: asked.version,
        },
        options.turns ?? null,
      );
      const it = channel;
      channels.add(it);
      it.onEnd = () => {
        if (!channels.delete(it)) return;
        open -= 1;
        const left = (byAddress.get(address) ?? 1) - 1;
        if (left > 0) byAddress.set(address, left);
        else byAddress.delete(address);
        if (channels.size === 0 && bySession.get(session) === channels) bySession.delete(session);
      };
    });
  }

  return {
    handleUpgrade,
    watched: (session) => (bySession.get(session)?.size ?? 0) > 0,

    async close() {
      closing = true;
      clearInterval(heartbeat);
      for (const channels of bySession.values()) {
        for (const channel of channels)
          channel.close(1001, 'the server is shutting down; reconnect in a moment');
      }
      const deadline = Date.now() + 1_000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },

    stats() {
      let channels = 0;
      for (const set of bySession.values()) channels += set.size;
      let bufferedBytes = 0;
      for (const ws of wss.clients) bufferedBytes += ws.bufferedAmount;
      return { channels, bufferedBytes };
    },
  };
}

/** Answers a refused upgrade with a plain-text reason and closes the socket. */
function refuse(socket: Duplex, status: 400 | 503, reason: string): void {
  const body = `${reason}\n`;
  const statusText = status === 400 ? 'Bad Request' : 'Service Unavailable';
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
