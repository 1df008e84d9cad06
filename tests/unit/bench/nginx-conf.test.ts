/**
 * The scale bench's own changes to the shipped deploy/nginx.conf (bench/nginx-process.ts): room
 * for its class in `worker_connections`, and nothing else; and how it groups Redis keys
 * (bench/redis-process.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { raiseWorkerConnections } from '../../../bench/nginx-process.ts';
import { keyPattern } from '../../../bench/redis-process.ts';

const shipped = fs.readFileSync(new URL('../../../deploy/nginx.conf', import.meta.url), 'utf8');

test('worker_connections is raised to what the class needs, and the rest of the file is kept', () => {
  const { text, changes } = raiseWorkerConnections(shipped, 31_000);
  assert.match(text, /^\s*worker_connections 31000;/m);
  assert.equal(changes.length, 1);
  assert.match(changes[0] ?? '', /^worker_connections \d+ → 31000$/);
  const without = (t: string) => t.replace(/worker_connections \d+;/, '');
  assert.equal(without(text), without(shipped));
});

test('worker_connections is left alone when the file already has room', () => {
  const { text, changes } = raiseWorkerConnections(shipped, 10);
  assert.equal(text, shipped);
  assert.deepEqual(changes, []);
});

test('Redis keys are grouped by kind: ids in the middle become *', () => {
  assert.equal(keyPattern('wl:room:ABC123:feed'), 'wl:room:*:feed');
  assert.equal(keyPattern('wl:node:3f2a9c'), 'wl:node:*');
  assert.equal(keyPattern('wl:binds'), 'wl:binds');
});
