/**
 * The teacher of the classroom scenario: opens the class (or room), then pushes `bench <seq> <t0>`
 * messages at a steady rate — through the class channel as the dashboard does, through
 * `POST send?room=` with bare lab rooms, or to the baseline's `/teacher` socket.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { markText } from './delivery.ts';
import type { Target } from './learner.ts';

export interface Teacher {
  /** What learners need to find the class. */
  readonly target: Target;
  push(seq: number): void;
  /** Pushes `count` messages (seq first…first+count-1) at `perSecond`, on schedule even if a timer fires late. */
  pushAtRate(first: number, count: number, perSecond: number): Promise<void>;
  /** Each time the class channel closed under the teacher while pushing (class mode). */
  readonly closes: TeacherClose[];
  /** Pushes not sent because the class channel was down (class mode). */
  readonly unsent: number[];
  close(): void;
}

export interface TeacherClose {
  /** The last push made before it closed. */
  atSeq: number;
  code: number;
  reason: string;
}

export async function openTeacher(
  mode: Target['mode'],
  base: string,
  inspector = true,
  inspectorVersion?: Target['inspectorVersion'],
): Promise<Teacher> {
  const ws = base.replace(/^http/, 'ws');
  let push: (text: string) => void;
  let close: () => void = () => {};
  let code = '';
  const closes: TeacherClose[] = [];
  const unsent: number[] = [];
  let lastSeq = 0;

  if (mode === 'class') {
    const created = await postJson(`${base}/class`, {});
    const { key } = created as { code: string; key: string };
    code = (created as { code: string }).code;
    // The dashboard's channel: it comes back after a close, as the dashboard's does; a push made
    // while it is down is not sent (the dashboard would say so), and every close is kept.
    let channel = await teacherChannel(`${ws}/class/${code}/ws`, key);
    let stopped = false;
    const watch = (c: WebSocket) =>
      c.once('close', (closeCode, reason) => {
        if (stopped) return;
        closes.push({ atSeq: lastSeq, code: closeCode, reason: String(reason).slice(0, 160) });
        setTimeout(() => {
          if (stopped) return;
          teacherChannel(`${ws}/class/${code}/ws`, key).then(
            (again) => {
              channel = again;
              watch(again);
            },
            () => {}, // stays down: every later push is counted unsent
          );
        }, 1_000);
      });
    watch(channel);
    push = (text) => {
      if (channel.readyState === WebSocket.OPEN) channel.send(JSON.stringify({ type: 'push', text }));
      else unsent.push(lastSeq);
    };
    close = () => {
      stopped = true;
      channel.terminate();
    };
  } else if (mode === 'room') {
    code = `bench${randomBytes(6).toString('hex')}`;
    const session = `teacher${randomBytes(9).toString('base64url')}`;
    const agent = new http.Agent({ keepAlive: true });
    push = (text) => {
      const req = http.request(`${base}/lab/${session}/send?room=${code}`, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'text/plain' },
      });
      req.on('response', (res) => res.resume());
      req.on('error', () => {});
      req.end(text);
    };
    close = () => agent.destroy();
  } else {
    const channel = await openSocket(`${ws}/teacher`);
    push = (text) => channel.send(text);
    close = () => channel.terminate();
  }

  return {
    target: { mode, base, code, inspector, ...(inspectorVersion ? { inspectorVersion } : {}) },
    closes,
    unsent,
    push: (seq) => {
      lastSeq = seq;
      push(markText(seq));
    },
    async pushAtRate(first, count, perSecond) {
      const interval = 1000 / perSecond;
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const due = start + i * interval;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        lastSeq = first + i;
        push(markText(first + i));
      }
    },
    close,
  };
}

/** Opens the class channel and says hello as the teacher; rejects if it is not welcomed in 30 s. */
async function teacherChannel(url: string, key: string): Promise<WebSocket> {
  const channel = await openSocket(url);
  // A channel that never welcomes the teacher (a class this process does not know) fails with
  // what it said instead of holding the run for ever.
  let said = '';
  await new Promise<void>((resolve, reject) => {
    const late = setTimeout(() => {
      channel.terminate();
      reject(new Error(`the class channel did not welcome the teacher in 30 s: ${said || 'nothing said'}`));
    }, 30_000);
    channel.on('message', (data) => {
      if (String(data).startsWith('{"type":"welcome"')) {
        clearTimeout(late);
        resolve();
      } else said ||= String(data).slice(0, 200);
    });
    channel.on('close', (code, reason) => {
      said ||= `closed ${code} ${reason}`;
    });
    channel.on('error', () => {}); // a close follows
    channel.send(JSON.stringify({ type: 'hello', role: 'teacher', key }));
  });
  return channel;
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}
