/**
 * `POST complete`: an answer streamed token by token as a text/event-stream, the way chat APIs
 * stream a model's reply. Read over raw sockets: the events, the sentinel, the determinism of the
 * tokens, the faults and the CORS preflight a JSON POST from an opaque origin needs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSession, startLab } from './lab-harness.ts';
import { type RawResponse, raw, request, SseParser, type SseEvent } from './lab-wire.ts';

const s = await startLab({ tickIntervalMs: 3_600_000, splitGapMs: 5 });
const JSON_TYPE = { 'Content-Type': 'application/json' };

/** POSTs `body` (an object is sent as JSON) to `complete?query` in `session`. */
const post = (session: string, body: unknown, query = 'pace=10', port = s.port): Promise<RawResponse> =>
  raw(
    port,
    request(
      'POST',
      `/lab/${session}/complete?${query}`,
      JSON_TYPE,
      typeof body === 'string' ? body : JSON.stringify(body),
    ),
    { timeoutMs: 30_000 },
  );

/** The events of a whole answer, and its comments. */
function events(r: RawResponse): { events: SseEvent[]; comments: string[] } {
  const parser = new SseParser();
  const out = parser.push(r.body.toString());
  return { events: out, comments: parser.comments };
}

/** The tokens of an answer's events: JSON `token`s, and `text` events as they are. */
function tokensOf(list: SseEvent[]): string[] {
  return list
    .filter((e) => e.data !== '[DONE]')
    .map((e) => (e.event === 'text' ? e.data : (JSON.parse(e.data) as { token: string }).token));
}

test('the answer is a text/event-stream: one JSON token per event, comments, and data: [DONE] last', async () => {
  const r = await post(newSession(), { prompt: 'How do servers push data?', max_tokens: 30 });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'] ?? '', /^text\/event-stream/);
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  assert.equal(r.end, 'complete', 'the stream ends with the last chunk after [DONE]');
  const { events: list, comments } = events(r);
  assert.equal(list.at(-1)?.data, '[DONE]', 'the sentinel comes last');
  assert.equal(list.filter((e) => e.data === '[DONE]').length, 1);
  const tokens = tokensOf(list);
  assert.equal(tokens.length, 30, 'max_tokens tokens');
  for (const e of list.filter((e) => e.event === 'message' && e.data !== '[DONE]'))
    assert.deepEqual(Object.keys(JSON.parse(e.data)), ['token']);
  assert.ok(comments.length >= 1, 'a keep-alive comment');
  for (const c of comments) assert.equal(c.trim(), 'keep-alive');
  assert.match(tokens.join(''), /^[A-Z][a-z]/, 'English words for an English prompt');
  // Each token is written (and flushed) on its own: one chunk per event or comment.
  assert.ok(r.chunks.length >= tokens.length + 1, `${r.chunks.length} chunks`);
});

test('a token holding a line break comes as an event: text whose data spans several data: lines', async () => {
  const r = await post(newSession(), { prompt: 'Tell me about streams', max_tokens: 12 });
  const wire = r.body.toString();
  // The opener is one paragraph: the next starts with "\n\n", so its first token is three data: lines.
  // The word is the seed's: it may hold a typographic apostrophe ("That’s"), so any non-space.
  assert.match(wire, /event: text\ndata: \ndata: \ndata: \S+\n\n/);
  const text = events(r).events.find((e) => e.event === 'text');
  assert.ok(text, 'a text event');
  assert.match(text.data, /^\n\n\S/, 'the reader joins the data: lines with "\\n"');
  assert.equal(tokensOf(events(r).events).join('').split('\n\n').length, 2, 'two paragraphs');
});

test('the tokens are seeded by the session and the prompt: the same on another server, other for another prompt', async () => {
  const id = newSession();
  const prompt = { prompt: 'Why does the text appear word by word?', max_tokens: 60 };
  const first = tokensOf(events(await post(id, prompt)).events);
  const other = await startLab({ tickIntervalMs: 3_600_000 });
  assert.deepEqual(tokensOf(events(await post(id, prompt, 'pace=10', other.port)).events), first);
  const shorter = tokensOf(events(await post(id, { ...prompt, max_tokens: 7 })).events);
  assert.deepEqual(shorter, first.slice(0, 7), 'max_tokens cuts the same answer shorter');
  const answers = new Set<string>();
  for (const p of ['a', 'b', 'c', 'd', 'e'])
    answers.add(tokensOf(events(await post(id, { prompt: p, max_tokens: 60 })).events).join(''));
  assert.ok(answers.size >= 3, `other prompts get other answers (${answers.size} different of 5)`);
});

test('a prompt in Chinese gets an answer in Chinese words', async () => {
  const r = await post(newSession(), { prompt: '服务器怎样把数据推给浏览器？', max_tokens: 20 });
  const text = tokensOf(events(r).events).join('');
  assert.match(text, /^\p{Script=Han}/u);
  assert.doesNotMatch(text, /[A-Za-z]/);
  assert.match(text, /\n\n\p{Script=Han}/u, 'the second paragraph starts after a blank line');
});

test('without max_tokens the answer carries completeTokens tokens', async () => {
  const r = await post(newSession(), { prompt: 'Hello' });
  assert.equal(tokensOf(events(r).events).length, 40);
});

test('pace outside its range is a 400 naming pace and the range', async () => {
  for (const pace of ['5', '2001', 'fast']) {
    const r = await post(newSession(), { prompt: 'hi' }, `pace=${pace}`);
    assert.equal(r.status, 400, pace);
    assert.match(r.body.toString(), new RegExp(`pace="${pace}".*from 10 to 2000`));
  }
});

test('a GET (all EventSource can send) is a 405 that says complete takes POST', async () => {
  const r = await raw(s.port, request('GET', `/lab/${newSession()}/complete`));
  assert.equal(r.status, 405);
  assert.equal(r.headers.allow, 'POST, OPTIONS');
  assert.match(r.body.toString(), /complete takes POST, not GET/);
});

test('the preflight a JSON POST from the runner (Origin: null) sends is answered 204, allowing POST and Content-Type', async () => {
  const r = await raw(
    s.port,
    request('OPTIONS', `/lab/${newSession()}/complete?split=random`, {
      Origin: 'null',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    }),
  );
  assert.equal(r.status, 204);
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.match(r.headers['access-control-allow-methods'] ?? '', /\bPOST\b/);
  assert.match(r.headers['access-control-allow-headers'] ?? '', /\bContent-Type\b/i);
});

test('drop=3 cuts the connection after the third token: no [DONE], no last chunk', async () => {
  const r = await post(newSession(), { prompt: 'hi', max_tokens: 20 }, 'pace=10&drop=3');
  assert.equal(r.status, 200);
  assert.equal(r.end, 'cut');
  const list = events(r).events;
  assert.equal(tokensOf(list).length, 3);
  assert.ok(!list.some((e) => e.data === '[DONE]'));
  if (s.notes) assert.ok(s.notes.some((n) => /fault: drop=3 — connection cut after 3 messages/.test(n)));
  if (s.notes)
    assert.ok(!s.notes.some((n) => /the client closed the connection/.test(n)), 'drop is no client abort');
});

test('delay= holds the answer back, then streams it whole', async () => {
  const r = await post(newSession(), { prompt: 'hi', max_tokens: 5 }, 'pace=10&delay=300');
  assert.equal(r.status, 200);
  assert.equal(tokensOf(events(r).events).length, 5);
  if (s.notes) assert.ok(s.notes.some((n) => /fault: delay=300/.test(n)));
});

test('split=7 cuts the events across chunks, mid-line and inside UTF-8 characters; the bytes are the same', async () => {
  const id = newSession();
  const prompt = { prompt: '给我讲讲流', max_tokens: 20 };
  const whole = await post(id, prompt);
  const cut = await post(id, prompt, 'pace=10&split=7');
  assert.equal(cut.end, 'complete');
  const bytes = (r: RawResponse) => r.body.toString().replaceAll(': keep-alive\n\n', '');
  assert.equal(bytes(cut), bytes(whole), 'the same events, only cut differently');
  for (const c of cut.chunks) assert.ok(c.data.length <= 7, `a chunk of ${c.data.length} bytes`);
  const cutsCharacter = cut.chunks.filter((c) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(c.data);
      return false;
    } catch {
      return true;
    }
  });
  assert.ok(cutsCharacter.length >= 2, `chunks cut inside a character: ${cutsCharacter.length}`);
  assert.ok(
    cut.chunks.some((c) => !c.data.toString('latin1').endsWith('\n\n') && c.data.includes('data')),
    'an event cut across chunks',
  );
});

test("split=random is seeded by the session and the answer's number in it: the same cuts on another server", async () => {
  const id = newSession();
  const prompt = { prompt: 'cut me', max_tokens: 8 };
  const first = await post(id, prompt, 'pace=10&split=random');
  const other = await startLab({ tickIntervalMs: 3_600_000, splitGapMs: 5 });
  const again = await post(id, prompt, 'pace=10&split=random', other.port);
  assert.deepEqual(
    again.chunks.map((c) => c.data.length),
    first.chunks.map((c) => c.data.length),
  );
  for (const c of first.chunks) assert.ok(c.data.length >= 1 && c.data.length <= 8);
});

test('split with buffer=1 is a 400; buffer=1 alone sends the whole answer with Content-Length', async () => {
  const both = await post(newSession(), { prompt: 'hi' }, 'split=7&buffer=1');
  assert.equal(both.status, 400);
  assert.match(both.body.toString(), /split="7" and buffer=1 do not go together/);
  const held = await post(newSession(), { prompt: 'hi', max_tokens: 6 }, 'pace=10&buffer=1');
  assert.equal(held.status, 200);
  assert.equal(Number(held.headers['content-length']), held.body.length);
  assert.equal(tokensOf(events(held).events).length, 6);
});

test('an answer that outlives completeMaxMs ends with a comment naming the bound, and no [DONE]', async () => {
  const short = await startLab({ tickIntervalMs: 3_600_000, completeMaxMs: 300 });
  const r = await post(newSession(), { prompt: 'hi', max_tokens: 200 }, 'pace=50', short.port);
  assert.equal(r.end, 'complete', 'a proper end');
  const { events: list, comments } = events(r);
  assert.ok(!list.some((e) => e.data === '[DONE]'));
  assert.ok(
    comments.some((c) => /^ bound completeMaxMs \(300\) reached — answer ended after \d+ tokens$/.test(c)),
    comments.join(' | '),
  );
});
