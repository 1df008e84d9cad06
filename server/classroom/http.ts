/**
 * The class HTTP API: how a teacher starts a class and a learner joins one (docs/classroom.md).
 * Everything after that goes over the class channel (class-channel.ts).
 *
 *   POST /class                       {}                      → 201 {"code","key","origins","exposed"}
 *   GET  /class/<code>                                        → 200 {"code","lesson","learners","origins","exposed"}
 *   POST /class/<code>/join           {"name","session"}      → 201 {"learner":{"id","name","token"},"class":{…}}
 *   GET  /class/<code>/qr.svg?lang=en&origin=0                → 200 image/svg+xml: the join link as a QR code
 *
 * Same-origin only: no CORS headers, and POST bodies must be `application/json`, which a form or
 * a learner's sandboxed snippet cannot send cross-origin without a preflight that is never granted.
 *
 * Rates: a request naming a class takes from that class's bucket (`classRequestsPerClassPerSecond`)
 * once the join-code gate let it look the code up (join-code-misses.ts); any other takes from its
 * address's (`classRequestsPerSecond`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import { answerText } from '../lab/answer.ts';
import { readBody } from '../lab/body.ts';
import { bound } from '../lab/bounds.ts';
import { SESSION_ID_PATTERN } from '../session-path.ts';
import type { ClientAddressOf } from '../client-address.ts';
import type { RateTable } from './address-rate.ts';
import type { Class, Classes } from './class-model.ts';
import { readDisplayName } from './display-name.ts';
import { JOIN_CODE_PATTERN, normalizeJoinCode } from './join-code.ts';
import type { JoinCodeMisses } from './join-code-misses.ts';
import { StoreUnreachable } from './store/index.ts';
import { lanOrigins } from './lan-origins.ts';
import { qrSvg } from './qr.ts';

/** Largest body a class request takes: a name and a session id fit many times over. */
const MAX_BODY_BYTES = 4 * 1024;
const LANGS = new Set(['en', 'zh']);

export interface ClassHttpParts {
  cfg: Config;
  classes: Classes;
  /** `classRequestsPerSecond`, by client address. */
  rate: RateTable;
  /** `classRequestsPerClassPerSecond`, by join code. */
  classRate: RateTable;
  misses: JoinCodeMisses;
  clientAddress: ClientAddressOf;
  /** Where the server listens (for the LAN origins). */
  address(): AddressInfo | string | null;
}

/** The join code in `/class/<code>/…`, normalized; or the answer to give when it cannot be one. */
export type CodeInPath = { ok: true; code: string } | { ok: false; status: number; text: string };

/** Reads the code of a class path; a code that cannot be one is a 400 with what a code is. */
export function codeInPath(raw: string): CodeInPath {
  let code = raw;
  try {
    code = normalizeJoinCode(decodeURIComponent(raw));
  } catch {
    // a stray "%": not a code, answered below
  }
  if (JOIN_CODE_PATTERN.test(code)) return { ok: true, code };
  const text = `"${raw.slice(0, 20)}" is not a join code: a code is 6 letters and digits, such as B8K4QZ.`;
  return { ok: false, status: 400, text };
}

/** Answers one request under `/class`. */
export async function handleClassRequest(parts: ClassHttpParts, req: IncomingMessage, res: ServerResponse) {
  const { cfg, classes } = parts;
  const address = parts.clientAddress(req);
  const url = new URL(req.url ?? '/', 'http://class.invalid');
  const segments = url.pathname.replace(/\/+$/, '').split('/').slice(2); // '' 'class' …
  const method = req.method ?? 'GET';
  const path = segments.length === 0 ? null : codeInPath(segments[0] ?? '');

  let looked: ClassLookup;
  try {
    looked = await lookUpClass(parts, address, path);
  } catch (err) {
    if (err instanceof StoreUnreachable) return answerUnreachable(res);
    throw err;
  }
  const { refusal } = looked;
  if (refusal) {
    answerText(res, refusal.status, refusal.text, { 'Retry-After': String(refusal.retryAfterS) });
    return;
  }

  if (path === null) {
    if (method !== 'POST') return notAllowed(res, 'POST', '/class starts a class: POST it.');
    if (!(await readJson(req, res))) return;
    let created: Awaited<ReturnType<Classes['create']>>;
    try {
      created = await classes.create(address);
    } catch (err) {
      if (err instanceof StoreUnreachable) return answerUnreachable(res);
      throw err;
    }
    if (!created.ok) return answerText(res, created.status, created.text, { 'Retry-After': '60' });
    parts.misses.hit(address); // the teacher's own lookups are not held back by others' guessing
    const { cls, key } = created;
    return answerJson(res, 201, {
      code: cls.code,
      key,
      ...lanOrigins(req.headers.host, parts.address()),
    });
  }

  if (!path.ok) return answerText(res, path.status, path.text);
  const { cls } = looked;
  if (!cls) {
    const text = `No class with code ${path.code}. Check the code, or ask your teacher: a class ends after ${Math.round(cfg.classIdleMs / 60_000)} min unused.`;
    return answerText(res, 404, text);
  }
  const action = segments.slice(1).join('/');

  if (action === '') {
    if (method !== 'GET') return notAllowed(res, 'GET', `/class/${cls.code} is read with GET.`);
    return answerJson(res, 200, {
      code: cls.code,
      lesson: cls.lesson,
      learners: cls.learners.size,
      ...lanOrigins(req.headers.host, parts.address()),
    });
  }
  if (action === 'join') {
    if (method !== 'POST') return notAllowed(res, 'POST', 'join with POST {"name": …, "session": …}.');
    const body = await readJson(req, res);
    if (!body) return;
    const name = readDisplayName(body.name);
    if (!name.ok) return answerText(res, 400, `Bad ${name.reason}`);
    if (typeof body.session !== 'string' || !SESSION_ID_PATTERN.test(body.session))
      return answerText(
        res,
        400,
        'Bad session: the lab session id of this tab (8 to 64 of A-Z a-z 0-9 _ -).',
      );
    const joined = classes.join(cls, name.name, body.session);
    if (!joined.ok) return answerText(res, joined.status, joined.text, { 'Retry-After': '60' });
    const { learner, token } = joined;
    // The page runs the learner's snippets once it has this answer: their session must read the
    // class room by then, on whichever process holds it.
    await classes.bindingsWritten();
    return answerJson(res, 201, {
      learner: { id: learner.id, name: learner.name, token },
      class: { code: cls.code, lesson: cls.lesson },
    });
  }
  if (action === 'qr.svg') {
    if (method !== 'GET') return notAllowed(res, 'GET', 'the QR code is read with GET.');
    return answerQr(parts, req, res, cls, url.searchParams);
  }
  if (action === 'ws') {
    answerText(res, 426, 'The class channel is a WebSocket: open it with new WebSocket(…).', {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
    });
    return;
  }
  answerText(res, 404, `No class action "${action.slice(0, 40)}". See docs/classroom.md.`);
}

export interface ClassRefusal {
  readonly status: 429;
  readonly text: string;
  readonly retryAfterS: number;
}

/** What a request may go on with: a refusal, or the class its code names (undefined: none). */
export type ClassLookup =
  | { refusal: ClassRefusal; cls?: undefined }
  | { refusal: null; cls: Class | undefined };

/**
 * The rate a request (or channel handshake) from `address` is held to, by what it names: nothing
 * (`path` null) or a malformed code takes from the address's bucket; a code passes the join-code
 * gate, then, if a class has it, takes from the class's bucket, else counts as a miss. Returns the
 * refusal, or the class to go on with. The caller answers an unknown code (404 / 4404). Rejects
 * with `StoreUnreachable` when, in shared mode, the class must be loaded and Redis is away.
 */
export async function lookUpClass(
  parts: Pick<ClassHttpParts, 'cfg' | 'classes' | 'rate' | 'classRate' | 'misses'>,
  address: string,
  path: CodeInPath | null,
): Promise<ClassLookup> {
  const { cfg, classes, rate, classRate, misses } = parts;
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
  if (path === null || !path.ok) {
    if (rate.take(address)) return { refusal: null, cls: undefined };
    const wait = rate.waitMs(address);
    const text = `${bound(cfg, 'classRequestsPerSecond')} reached: this computer sends class requests too fast. Wait ${wait} ms.`;
    return { refusal: { status: 429, text, retryAfterS: seconds(wait) } };
  }
  const gate = await misses.check(address);
  if (!gate.ok) return { refusal: { status: 429, text: gate.text, retryAfterS: gate.retryAfterS } };
  const cls = await classes.fetch(path.code);
  if (!cls) {
    misses.miss(address);
    return { refusal: null, cls: undefined };
  }
  misses.hit(address);
  if (classRate.take(path.code)) return { refusal: null, cls };
  const wait = classRate.waitMs(path.code);
  const text = `${bound(cfg, 'classRequestsPerClassPerSecond')} reached: class ${path.code} is getting requests faster than it takes. Wait ${wait} ms.`;
  return { refusal: { status: 429, text, retryAfterS: seconds(wait) } };
}

/** Shared mode, Redis away: not "no such class" (a page would forget it), but "try again". */
export const UNREACHABLE_TEXT =
  'The class store (Redis) does not answer right now, so this server cannot look the class up. Try again in a few seconds.';
function answerUnreachable(res: ServerResponse): void {
  answerText(res, 503, UNREACHABLE_TEXT, { 'Retry-After': '5' });
}

/** The join link (`<origin>/<lang>/class/join/#<code>`) as a QR code. */
async function answerQr(
  parts: ClassHttpParts,
  req: IncomingMessage,
  res: ServerResponse,
  cls: Class,
  query: URLSearchParams,
): Promise<void> {
  const lang = query.get('lang') ?? 'en';
  if (!LANGS.has(lang)) return answerText(res, 400, `Bad lang "${lang.slice(0, 10)}": en or zh.`);
  const { origins } = lanOrigins(req.headers.host, parts.address());
  const index = Number(query.get('origin') ?? '0');
  const origin = Number.isInteger(index) ? origins[index] : undefined;
  if (!origin) {
    const text =
      origins.length === 0
        ? 'Learners cannot reach this server: it listens on this computer only. Restart it with HOST=0.0.0.0 npm start.'
        : `Bad origin: 0 to ${origins.length - 1}.`;
    return answerText(res, origins.length === 0 ? 409 : 400, text);
  }
  const svg = await qrSvg(`${origin}/${lang}/class/join/#${cls.code}`);
  res.writeHead(200, {
    'Content-Type': 'image/svg+xml; charset=utf-8',
    'Content-Length': Buffer.byteLength(svg),
    'Cache-Control': 'no-store',
  });
  res.end(svg);
}

/** Reads a JSON object body; answers 415/413/400 itself and returns null when it is not one. */
async function readJson(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> {
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    answerText(res, 415, 'Send the body as JSON, with Content-Type: application/json.');
    return null;
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === null) {
    answerText(res, 413, `The body is larger than ${MAX_BODY_BYTES} bytes.`, { Connection: 'close' });
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
  } catch (err) {
    answerText(res, 400, `The body is not valid JSON (${(err as Error).message}).`);
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    answerText(res, 400, 'The body must be a JSON object.');
    return null;
  }
  return value as Record<string, unknown>;
}

function answerJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function notAllowed(res: ServerResponse, allow: string, text: string): void {
  answerText(res, 405, text, { Allow: allow });
}
