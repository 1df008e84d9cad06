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
  close(): void;
}

export async function openTeacher(mode: Target['mode'], base: string, inspector = true): Promise<Teacher> {
  const ws = base.replace(/^http/, 'ws');
  let push: (text: string) => void;
  let close: () => void = () => {};
  let code = '';

  if (mode === 'class') {
    const created = await postJson(`${base}/class`, {});
    const { key } = created as { code: string; key: string };
    code = (created as { code: string }).code;
    const channel = await openSocket(`${ws}/class/${code}/ws`);
    // A channel that never welcomes the teacher (a class this process does not know) fails the
    // run with what it said instead of holding it for ever.
    let said = '';
    const welcome = new Promise<void>((resolve, reject) => {
      const late = setTimeout(
        () =>
          reject(
            new Error(`the class channel did not welcome the teacher in 30 s: ${said || 'nothing said'}`),
          ),
        30_000,
      );
      channel.on('message', (data) => {
        if (String(data).startsWith('{"type":"welcome"')) {
          clearTimeout(late);
          resolve();
        } else said ||= String(data).slice(0, 200);
      });
      channel.on('close', (code, reason) => {
        said ||= `closed ${code} ${reason}`;
      });
    });
    channel.send(JSON.stringify({ type: 'hello', role: 'teacher', key }));
    await welcome;
    push = (text) => channel.send(JSON.stringify({ type: 'push', text }));
    close = () => channel.terminate();
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
    target: { mode, base, code, inspector },
    push: (seq) => push(markText(seq)),
    async pushAtRate(first, count, perSecond) {
      const interval = 1000 / perSecond;
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const due = start + i * interval;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        push(markText(first + i));
      }
    },
    close,
  };
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
