/**
 * The class HTTP API from the browser: start a class, join one (docs/classroom.md). Refusals come
 * back as a status and the server's one-line reason; the caller words them for the learner.
 */

export type Answer<T> = { ok: true; value: T } | { ok: false; status: number; reason: string };

export interface CreatedClass {
  code: string;
  key: string;
  origins: string[];
  exposed: boolean;
}

export interface ClassInfo {
  code: string;
  lesson: string | null;
  learners: number;
  origins: string[];
  exposed: boolean;
}

export interface Joined {
  learner: { id: number; name: string; token: string };
  class: { code: string; lesson: string | null };
}

async function call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    return { ok: false, status: 0, reason: 'offline' };
  }
  if (res.ok) return { ok: true, value: (await res.json()) as T };
  return { ok: false, status: res.status, reason: (await res.text()).trim() };
}

/** POST /class. */
export const createClass = () => call<CreatedClass>('POST', '/class', {});
/** GET /class/<code>. */
export const classInfo = (code: string) => call<ClassInfo>('GET', `/class/${encodeURIComponent(code)}`);
/** POST /class/<code>/join. */
export const joinClass = (code: string, name: string, session: string) =>
  call<Joined>('POST', `/class/${encodeURIComponent(code)}/join`, { name, session });

/** What a learner typed, as a code: "b8k-4qz " → "B8K4QZ". */
export function normalizeCode(typed: string): string {
  return typed.replace(/[\s-]+/g, '').toUpperCase();
}
