import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FeedMessage } from '../../../server/lab/feed.ts';
import { messageJson, sseEventText } from '../../../server/lab/message-text.ts';

const message = (id: number, type: FeedMessage['type'], data: unknown): FeedMessage => ({
  id,
  type,
  time: '2026-12-06T10:00:00.000Z',
  data,
});

test('an SSE event: id, event, and one data line for each line of a chat text', () => {
  assert.equal(
    sseEventText(message(7, 'chat', 'one\r\ntwo\rthree\nfour')),
    'id: 7\nevent: chat\ndata: one\ndata: two\ndata: three\ndata: four\n\n',
  );
  assert.equal(
    sseEventText(message(8, 'push', { from: 'teacher', text: 'a\nb' })),
    'id: 8\nevent: push\ndata: {"from":"teacher","text":"a\\nb"}\n\n',
  );
});

test('the text is made once for a message read by many, and anew for the next one', () => {
  const first = message(1, 'push', { from: 'teacher', text: 'first' });
  const texts = Array.from({ length: 300 }, () => messageJson(first));
  assert.ok(texts.every((t) => t === JSON.stringify(first)));
  const second = message(2, 'push', { from: 'teacher', text: 'second' });
  assert.equal(messageJson(second), JSON.stringify(second));
  // An older message asked again (a reader that joins late is sent the kept ones) is made again.
  assert.equal(messageJson(first), JSON.stringify(first));
});

test('a feed begun again reuses ids: a message is known by itself, not by its id', () => {
  const before = message(1, 'chat', 'before the restart');
  const after = message(1, 'chat', 'after the restart');
  assert.match(sseEventText(before), /before the restart/);
  assert.match(sseEventText(after), /after the restart/);
  assert.match(messageJson(before), /before the restart/);
  assert.match(messageJson(after), /after the restart/);
});
