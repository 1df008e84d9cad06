import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FeedMessage } from '../../../server/lab/feed.ts';
import {
  messageJson,
  messageJsonBytes,
  pollAnswerText,
  sseEventBytes,
  sseEventText,
} from '../../../server/lab/message-text.ts';

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

test("the bytes are the text's UTF-8, encoded once: every reader writes the same Buffer", () => {
  const first = message(1, 'push', { from: 'teacher', text: '推送 one' });
  for (const [bytes, text] of [
    [sseEventBytes, sseEventText],
    [messageJsonBytes, messageJson],
  ] as const) {
    const made = Array.from({ length: 300 }, () => bytes(first));
    assert.deepEqual(made[0], Buffer.from(text(first)));
    assert.ok(
      made.every((b) => b === made[0]),
      'one Buffer for the 300 readers',
    );
    const second = message(2, 'chat', 'second');
    assert.equal(bytes(second).toString(), text(second));
    assert.notEqual(bytes(first), made[0], 'asked again after another: made again');
    assert.deepEqual(bytes(first), made[0]);
  }
});

test('a feed begun again reuses ids: a message is known by itself, not by its id', () => {
  const before = message(1, 'chat', 'before the restart');
  const after = message(1, 'chat', 'after the restart');
  assert.match(sseEventText(before), /before the restart/);
  assert.match(sseEventText(after), /after the restart/);
  assert.match(messageJson(before), /before the restart/);
  assert.match(messageJson(after), /after the restart/);
});

test('a long poll answer: the JSON of its messages, made once for the polls that answer together', () => {
  const kept = [1, 2, 3, 4].map((id) => message(id, 'push', { from: 'teacher', text: `m${id} 你好` }));
  const answer = pollAnswerText(kept.slice(1), 4);
  assert.equal(answer.text, JSON.stringify({ messages: kept.slice(1), last: 4 }));
  assert.equal(answer.bytes, Buffer.byteLength(answer.text));
  // 300 held polls of a class answer with the same messages (each its own slice of the feed).
  const answers = Array.from({ length: 300 }, () => pollAnswerText(kept.slice(1), 4));
  assert.ok(
    answers.every((a) => a === answer),
    'the same answer, not made again',
  );
  // Other messages, fewer of them, or the same ids of a feed begun again: made anew.
  assert.equal(pollAnswerText(kept.slice(2), 4).text, JSON.stringify({ messages: kept.slice(2), last: 4 }));
  assert.equal(
    pollAnswerText(kept.slice(1, 3), 3).text,
    JSON.stringify({ messages: kept.slice(1, 3), last: 3 }),
  );
  const again = [2, 3, 4].map((id) => message(id, 'chat', `after the restart ${id}`));
  assert.match(pollAnswerText(again, 4).text, /after the restart 2/);
  // Some gone: said, each time.
  assert.equal(
    pollAnswerText(kept.slice(3), 4, 2).text,
    JSON.stringify({ messages: kept.slice(3), last: 4, missed: 2 }),
  );
  assert.equal(pollAnswerText([], 9).text, '{"messages":[],"last":9}');
  assert.equal(pollAnswerText([], 10).text, '{"messages":[],"last":10}');
});
