/**
 * The class channel: a WebSocket per open page, for the teacher and for each learner
 * (`WS /class/<code>/ws`). HTTP gets you into a class (create, join); everything after goes here,
 * as JSON text messages `{"type": …}` (docs/classroom.md).
 *
 * The first message says who is there: `{"type":"hello","role":"teacher","key":…}` or
 * `{"type":"hello","role":"learner","token":…}`, with the page's lab session and lesson. A wrong
 * key or token closes the socket with 1008 and a reason; so does anything a role may not do.
 * Refusals that are not misuse (an empty push, a hand-in over the size bound) are answered with
 * `{"type":"refused","action":…,"reason":…}` and the socket stays open.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { Config } from '../config.ts';
import { bound, createTokenBucket, type TokenBucket } from '../lab/bounds.ts';
import type { Lab } from '../lab/index.ts';
import { SESSION_ID_PATTERN } from '../session-path.ts';
import type { SharedRedis } from '../shared/redis.ts';
import type { ActivityMeter } from './activity.ts';
import type { Class, Classes, Learner } from './class-model.ts';

/** Close codes of the class channel; 4000–4999 are the application's own (RFC 6455 §7.4.2). */
export const CLOSE = {
  /** The learner left the class. */
  normal: 1000,
  goingAway: 1001,
  /** A binary message: the channel takes JSON text. */
  unsupported: 1003,
  /** Wrong key or token, no hello, a message the role may not send, over `classMessagesPerSecond`. */
  policy: 1008,
  /**
   * Shared mode: another server process holds the class now (RFC 6455 §7.4.1 registry: "Service
   * Restart"); the page reconnects, and nginx sends it to that process.
   */
  moved: 1012,
  /** No class has this code (or it ended and was forgotten). */
  unknownClass: 4404,
  /** The class ended: by its teacher, by idling, or the server is going away. */
  ended: 4410,
} as const;

/** Room for the JSON around a hand-in's code, which itself may be `maxMessageBytes`. */
const ENVELOPE_BYTES = 4 * 1024;
/**
 * A frame may be this many times `maxMessageBytes` (and the envelope): JSON writes a newline,
 * tab, quote or backslash as two bytes, so a push or hand-in within the bound always fits, even
 * when every character is one of those. Only the six-byte escapes of other control characters
 * can take one past it: the class bar measures the frame first (`limits`); another client's is
 * closed with 1009, as any frame too big.
 */
const ESCAPED_FACTOR = 2;
/** A lesson is named by its folder: `03-long-polling`. */
const LESSON_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;
/** A playground step id. */
const STEP_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** Lessons whose checks one learner's record keeps (a course has a dozen). */
const MAX_LESSONS_TRACKED = 200;

interface Member {
  readonly ws: WebSocket;
  readonly cls: Class;
  /** Null until the hello. */
  role: 'teacher' | 'learner' | null;
  learner: Learner | null;
  readonly bucket: TokenBucket;
  readonly helloTimer: NodeJS.Timeout;
}

type Message = Record<string, unknown>;

export interface ClassChannel {
  /** Takes the upgrade of `/class/<code>/ws`; `cls` undefined: no such class (closed 4404). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cls: Class | undefined): void;
  /** Open channels of a class, by role. */
  count(cls: Class): { teachers: number; learners: number };
  /** Closes every channel with 1001. */
  close(): Promise<void>;
}

export function createClassChannel(
  cfg: Config,
  lab: Lab,
  classes: Classes,
  meter: ActivityMeter,
  shared: Pick<SharedRedis, 'up' | 'downSince' | 'onStatus'> | null = null,
): ClassChannel {
  /**
   * What the page may send, in every welcome: `messageBytes` of text (a push, a hand-in's code and
   * handler together) and `frameBytes` of JSON in one frame. The class bar measures a hand-in
   * against both before sending, so one over the frame is told so rather than closed with 1009.
   */
  const limits = {
    messageBytes: cfg.maxMessageBytes,
    frameBytes: ESCAPED_FACTOR * cfg.maxMessageBytes + ENVELOPE_BYTES,
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.frameBytes, // ws's default is 100 MiB
    maxFragments: cfg.maxMessageFragments,
    perMessageDeflate: false, // zlib per socket fragments memory under load
  });
  const members = new Map<Class, Set<Member>>();
  const lastActivity = new WeakMap<Class, string>();

  /** Sends a message, or the same serialised text to many (a text frame either way). */
  const send = (m: Member, message: Message | Buffer): void => {
    if (m.ws.readyState !== m.ws.OPEN) return;
    if (Buffer.isBuffer(message)) m.ws.send(message, { binary: false });
    else m.ws.send(JSON.stringify(message));
    // ws never drops a slow reader: one that falls this far behind is cut.
    if (m.ws.bufferedAmount > cfg.maxBufferedBytes) m.ws.terminate();
  };
  /** One message to many: serialised once, not once per member (a class is up to thousands). */
  const sendAll = (to: Member[], message: Message): void => {
    if (to.length === 0) return;
    const text = Buffer.from(JSON.stringify(message));
    for (const m of to) send(m, text);
  };
  const close = (m: Member, code: number, reason: string): void => {
    clearTimeout(m.helloTimer);
    if (m.ws.readyState === m.ws.OPEN || m.ws.readyState === m.ws.CONNECTING)
      m.ws.close(code, shortReason(reason));
    setTimeout(() => m.ws.terminate(), 1_000).unref(); // a peer that never answers the close frame
  };
  const everyone = (cls: Class, role: 'teacher' | 'learner'): Member[] =>
    [...(members.get(cls) ?? [])].filter((m) => m.role === role);
  const refuse = (m: Member, action: string, reason: string): void =>
    send(m, { type: 'refused', action, reason });

  // ---- hello: who is on this socket

  const hello = (m: Member, msg: Message) => {
    const { cls } = m;
    if (msg.role === 'teacher') {
      if (!classes.isTeacher(cls, msg.key)) return close(m, CLOSE.policy, 'wrong teacher key');
      m.role = 'teacher';
    } else if (msg.role === 'learner') {
      const learner = classes.learnerByToken(cls, msg.token);
      if (!learner) return close(m, CLOSE.policy, 'unknown learner: join the class again');
      m.role = 'learner';
      m.learner = learner;
      learner.online += 1;
      classes.showing(cls, learner, readLesson(msg.lesson));
    } else {
      return close(m, CLOSE.policy, 'hello needs "role": "teacher" or "learner"');
    }
    clearTimeout(m.helloTimer);
    classes.touch(cls);
    // The page's lab session joins the class room: its snippets now read the class feed.
    if (typeof msg.session === 'string' && SESSION_ID_PATTERN.test(msg.session)) {
      if (!classes.bind(cls, m.learner, msg.session)) {
        refuse(
          m,
          'hello',
          `${bound(cfg, 'maxSessions')} reached: this page's runs use their own feed, not the class's.`,
        );
      }
    }
    if (m.role === 'teacher') {
      send(m, {
        type: 'welcome',
        role: 'teacher',
        class: { code: cls.code, lesson: cls.lesson, created: new Date(cls.created).toISOString() },
        limits,
        handIns: cls.handIns,
        // Why this class would not outlive a restart (a bad data file), for the dashboard's notice.
        storeProblem: classes.storeProblem,
        // Shared mode: whether Redis answers, for the dashboard's notice while it does not.
        ...(shared ? { shared: sharedState(shared) } : {}),
      });
      const activity = JSON.stringify({ type: 'activity', ...meter.measure(cls) });
      lastActivity.set(cls, activity);
      const text = Buffer.from(activity);
      for (const t of everyone(cls, 'teacher')) send(t, text);
    } else if (m.learner) {
      const welcome = {
        type: 'welcome',
        role: 'learner',
        learner: { id: m.learner.id, name: m.learner.name },
        class: { code: cls.code, lesson: cls.lesson },
        limits,
      };
      // After the page's session reads the class room on whichever process holds it.
      void classes.bindingsWritten().then(() => send(m, welcome));
    }
  };

  // ---- what a teacher may do

  const push = async (m: Member, msg: Message) => {
    const text = typeof msg.text === 'string' ? msg.text.trim() : '';
    if (!text) return refuse(m, 'push', 'push needs "text": the message to send to the class.');
    if (Buffer.byteLength(text) > cfg.maxMessageBytes)
      return refuse(m, 'push', `${bound(cfg, 'maxMessageBytes')} reached: send a shorter message.`);
    // Through the room feed: every learner's EventSource, WebSocket, long poll and stream gets it.
    // With processes sharing Redis the id comes back from Redis: pushes keep their order, as the
    // client answers in the order it was asked.
    const message = await lab.rooms.append(m.cls.room, 'push', { from: 'teacher', text });
    if (!message)
      return refuse(m, 'push', `${bound(cfg, 'maxRooms')} reached: the class room could not be opened.`);
    sendAll(everyone(m.cls, 'teacher'), { type: 'pushed', id: message.id, text, time: message.time });
    sendAll(everyone(m.cls, 'learner'), { type: 'push', id: message.id, text, time: message.time });
  };

  const bring = (m: Member, msg: Message) => {
    const lesson = readLesson(msg.lesson);
    if (!lesson) return refuse(m, 'goto', 'goto needs "lesson": a lesson slug such as "03-long-polling".');
    classes.bring(m.cls, lesson);
    sendAll(everyone(m.cls, 'learner'), { type: 'goto', lesson });
    sendAll(everyone(m.cls, 'teacher'), { type: 'brought', lesson });
  };

  // ---- what a learner may do

  const handIn = (m: Member, learner: Learner, msg: Message) => {
    const lesson = readLesson(msg.lesson);
    const step = typeof msg.step === 'string' && STEP_PATTERN.test(msg.step) ? msg.step : null;
    if (!lesson || !step) return refuse(m, 'hand-in', 'hand-in needs "lesson" and "step" of a playground.');
    if (typeof msg.code !== 'string' || msg.code.length === 0)
      return refuse(m, 'hand-in', 'hand-in needs "code": the snippet to hand in.');
    if (msg.server !== undefined && typeof msg.server !== 'string')
      return refuse(m, 'hand-in', 'hand-in\'s "server", when given, is the handler\'s code as a string.');
    // An empty handler is kept as one: the teacher's runs meet what the learner's met.
    const server = msg.server;
    const page = Buffer.byteLength(msg.code);
    const size = page + (server === undefined ? 0 : Buffer.byteLength(server));
    if (size > cfg.maxMessageBytes) {
      const parts = server === undefined ? '' : ` (the page's ${page} and the handler's ${size - page})`;
      const why = `${bound(cfg, 'maxMessageBytes')} reached: the code is ${size} bytes${parts}. Hand in a shorter snippet.`;
      return refuse(m, 'hand-in', why);
    }
    const h = classes.handIn(m.cls, learner, lesson, step, msg.code, server);
    sendAll(everyone(m.cls, 'teacher'), { type: 'hand-in', handIn: h });
    send(m, { type: 'handed-in', id: h.id, lesson, step });
  };

  const check = (m: Member, learner: Learner, msg: Message): void => {
    const lesson = readLesson(msg.lesson);
    if (lesson && msg.passed === true && learner.passed.size < MAX_LESSONS_TRACKED)
      classes.passed(m.cls, learner, lesson);
  };

  const leave = (m: Member, learner: Learner): void => {
    classes.leave(m.cls, learner);
    for (const other of everyone(m.cls, 'learner')) {
      if (other.learner === learner) close(other, CLOSE.normal, 'left the class');
    }
  };

  // ---- every message

  const onMessage = (m: Member, data: RawData, isBinary: boolean) => {
    if (!m.bucket.take()) return close(m, CLOSE.policy, `${bound(cfg, 'classMessagesPerSecond')} reached`);
    if (isBinary) return close(m, CLOSE.unsupported, 'the class channel takes JSON text messages');
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return close(m, CLOSE.policy, 'not JSON: send {"type": …}');
    }
    if (typeof msg !== 'object' || msg === null || typeof (msg as Message).type !== 'string')
      return close(m, CLOSE.policy, 'a message is a JSON object with a "type"');
    const message = msg as Message;
    const type = message.type as string;
    if (m.role === null) {
      if (type !== 'hello') return close(m, CLOSE.policy, 'say hello first: {"type":"hello","role":…}');
      return hello(m, message);
    }
    classes.touch(m.cls);
    if (m.role === 'teacher') {
      if (type === 'push') {
        push(m, message).catch(() =>
          refuse(m, 'push', 'The class room did not take the message (its store failed): send it again.'),
        );
        return;
      }
      if (type === 'goto') return bring(m, message);
      if (type === 'end') return classes.end(m.cls, 'class ended by the teacher');
    } else if (m.learner) {
      if (type === 'hand-in') return handIn(m, m.learner, message);
      if (type === 'check') return check(m, m.learner, message);
      if (type === 'lesson') return classes.showing(m.cls, m.learner, readLesson(message.lesson));
      if (type === 'leave') return leave(m, m.learner);
      if (type === 'push' || type === 'goto' || type === 'end')
        return close(m, CLOSE.policy, `only the teacher can ${type}`);
    }
    close(m, CLOSE.policy, `unknown message type ${JSON.stringify(type.slice(0, 40))}`);
  };

  const attach = (ws: WebSocket, cls: Class): void => {
    const m: Member = {
      ws,
      cls,
      role: null,
      learner: null,
      bucket: createTokenBucket(cfg.classMessagesPerSecond, 2 * cfg.classMessagesPerSecond),
      // The hello is the channel's request head: it has as long as a head has to arrive.
      helloTimer: setTimeout(() => close(m, CLOSE.policy, 'no hello in time'), cfg.headersTimeoutMs),
    };
    let set = members.get(cls);
    if (!set) {
      set = new Set();
      members.set(cls, set);
    }
    set.add(m);
    ws.on('message', (data: RawData, isBinary: boolean) => onMessage(m, data, isBinary));
    ws.once('close', () => {
      clearTimeout(m.helloTimer);
      members.get(cls)?.delete(m);
      if (members.get(cls)?.size === 0) members.delete(cls);
      if (m.learner) m.learner.online -= 1;
    });
  };

  // The teacher's dashboard: the learners' activity every `classActivityMs`, when it changed.
  const ticker = setInterval(() => {
    for (const cls of members.keys()) {
      const teachers = everyone(cls, 'teacher');
      if (teachers.length === 0) continue;
      const activity = JSON.stringify({ type: 'activity', ...meter.measure(cls) });
      if (activity === lastActivity.get(cls)) continue;
      lastActivity.set(cls, activity);
      const text = Buffer.from(activity);
      for (const t of teachers) send(t, text);
    }
  }, cfg.classActivityMs);
  ticker.unref();

  classes.onEnd((cls, why) => {
    for (const m of members.get(cls) ?? []) close(m, CLOSE.ended, why);
  });
  classes.onDrop((cls, why) => {
    for (const m of members.get(cls) ?? []) close(m, CLOSE.moved, why);
  });
  // Shared mode: every teacher's dashboard hears when Redis goes away and when it is back.
  const stopStatus = shared?.onStatus(() => {
    const notice = { type: 'shared', ...sharedState(shared) };
    for (const cls of members.keys()) sendAll(everyone(cls, 'teacher'), notice);
  });

  return {
    handleUpgrade(req, socket, head, cls) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => {}); // an unmasked frame or a reset must never crash the server
        // A browser cannot read the status of a refused handshake, but it can read a close code.
        if (!cls) ws.close(CLOSE.unknownClass, 'no class with this code: check it, or ask your teacher');
        else attach(ws, cls);
      });
    },
    count(cls) {
      return { teachers: everyone(cls, 'teacher').length, learners: everyone(cls, 'learner').length };
    },
    async close() {
      clearInterval(ticker);
      stopStatus?.();
      for (const set of members.values())
        for (const m of set) close(m, CLOSE.goingAway, 'server shutting down');
      const deadline = Date.now() + 1_000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** `up`, and since when Redis has been away (ISO 8601) or null while it answers. */
function sharedState(shared: Pick<SharedRedis, 'up' | 'downSince'>): { up: boolean; since: string | null } {
  const since = shared.up || shared.downSince === null ? null : new Date(shared.downSince).toISOString();
  return { up: shared.up, since };
}

/** A lesson slug from a message, or null. */
function readLesson(value: unknown): string | null {
  return typeof value === 'string' && LESSON_PATTERN.test(value) ? value : null;
}

/** A close reason fits in 123 bytes of UTF-8 (RFC 6455 §5.5). */
function shortReason(text: string): string {
  return Buffer.byteLength(text) <= 123 ? text : Buffer.from(text).subarray(0, 120).toString('utf8');
}
