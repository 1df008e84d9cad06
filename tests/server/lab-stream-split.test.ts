/**
 * `stream?split=`: the stream's bytes cut at arbitrary positions, each piece a chunk of its own on
 * the wire, so a chunk (and a browser's read) can end mid-line and mid-character. Read over raw
 * sockets: the chunks below are the chunks that crossed the wire.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSession, startLab } from './lab-harness.ts';
import { raw, request, sleep } from './lab-wire.ts';

// A short gap keeps the tests quick; the pieces still leave one by one (the cuts are counted below).
const s = await startLab({ tickIntervalMs: 3_600_000, splitGapMs: 5 });
const get = (path: string, port = s.port) => raw(port, request('GET', path), { timeoutMs: 30_000 });

const classicLines = (lang: 'en' | 'zh', count: number) =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      success: 'ok',
      text: lang === 'zh' ? `📨 第 ${i + 1} 条消息` : `📨 message ${i + 1} ✅`,
    }),
  ).map((line) => `${line}\n`);

/** True when `bytes` alone are not valid UTF-8: the piece ends (or starts) inside a character. */
const cutsACharacter = (bytes: Buffer): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
};

test('lang=zh gives the classic messages Han characters and an emoji; without split, one line per chunk', async () => {
  const r = await get(`/lab/${newSession()}/stream?lang=zh&count=3&interval=0`);
  assert.equal(r.end, 'complete');
  assert.deepEqual(
    r.chunks.map((c) => c.data.toString()),
    classicLines('zh', 3),
  );
  assert.equal(JSON.parse(r.chunks[0]!.data.toString()).text, '📨 第 1 条消息');
});

test('split=7 cuts the stream into 7-byte chunks on the wire, mid-line and inside UTF-8 characters', async () => {
  const r = await get(`/lab/${newSession()}/stream?lang=zh&count=3&interval=300&split=7`);
  assert.equal(r.end, 'complete', 'the stream still ends properly with the last chunk');
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  assert.equal(Buffer.concat(r.chunks.map((c) => c.data)).toString(), classicLines('zh', 3).join(''));
  // Each framed chunk says 7 in its size line, except where a message ran out of bytes first
  // (a piece never waits for the next message).
  for (const c of r.chunks) assert.ok(c.data.length <= 7, `a chunk of ${c.data.length} bytes`);
  assert.ok(r.chunks.filter((c) => c.data.length === 7).length >= 15, 'most chunks are 7 bytes');
  assert.ok(
    r.chunks.some((c) => c.framed.toString('latin1').startsWith('7\r\n')),
    'the size line on the wire is 7',
  );
  const midLine = r.chunks.filter((c) => !c.data.toString('latin1').endsWith('\n'));
  assert.ok(midLine.length > 3, 'chunks that end in the middle of a line');
  const midCharacter = r.chunks.filter((c) => cutsACharacter(c.data));
  assert.ok(midCharacter.length >= 2, `chunks cut inside a UTF-8 character: ${midCharacter.length}`);
});

test('split=random: 1 to 8 bytes a chunk, drawn from a PRNG seeded by the session: the same on another server', async () => {
  const id = newSession();
  const path = `/lab/${id}/stream?lang=zh&count=4&interval=200&split=random`;
  const first = await get(path);
  assert.equal(first.end, 'complete');
  assert.equal(Buffer.concat(first.chunks.map((c) => c.data)).toString(), classicLines('zh', 4).join(''));
  const sizes = first.chunks.map((c) => c.data.length);
  for (const n of sizes) assert.ok(n >= 1 && n <= 8, `a chunk of ${n} bytes`);
  assert.ok(new Set(sizes).size > 3, `sizes vary: ${sizes.join(' ')}`);
  assert.ok(
    first.chunks.some((c) => cutsACharacter(c.data)),
    'some character (3 or 4 bytes) is cut between two chunks',
  );
  // Another server (a restart, or a colleague's), the same session id, its first stream: the same cuts.
  const other = await startLab({ tickIntervalMs: 3_600_000, splitGapMs: 5 });
  const again = await get(path, other.port);
  assert.deepEqual(
    again.chunks.map((c) => c.data.length),
    sizes,
  );
  await other.close();
});

test('split pieces run across messages: a chunk can end one line and start the next', async () => {
  const id = newSession();
  for (const text of ['first', 'second', 'third'])
    await raw(s.port, request('POST', `/lab/${id}/send`, {}, text));
  const r = await get(`/lab/${id}/stream?source=feed&since=0&count=3&split=100`);
  assert.equal(r.end, 'complete');
  const lines = Buffer.concat(r.chunks.map((c) => c.data))
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).data);
  assert.deepEqual(lines, ['first', 'second', 'third']);
  const merged = r.chunks.find((c) => {
    const text = c.data.toString();
    return text.includes('\n') && !text.endsWith('\n');
  });
  assert.ok(merged, 'a chunk holding the end of one message and the start of the next');
});

test('drop=N with split cuts the connection only after the Nth message went out whole', async () => {
  const r = await get(`/lab/${newSession()}/stream?lang=zh&count=9&interval=50&split=5&drop=2`);
  assert.equal(r.end, 'cut', 'no last chunk');
  assert.equal(Buffer.concat(r.chunks.map((c) => c.data)).toString(), classicLines('zh', 2).join(''));
});

test('a reader that leaves mid-split stream is let go: the lab keeps serving the session', async () => {
  const id = newSession();
  await raw(s.port, request('GET', `/lab/${id}/stream?lang=zh&count=9&interval=0&split=1`), {
    onChunk: (_data, _at) => true, // read one chunk, then vanish
  });
  if (s.lab) {
    // Its pieces' timer stops and its connection is uncounted, however many pieces were left.
    for (let i = 0; i < 200 && (s.lab.sessionActivity(id)?.open.stream ?? 0) > 0; i++) await sleep(50);
    assert.equal(s.lab.sessionActivity(id)?.open.stream, 0);
  }
  const r = await get(`/lab/${id}/stream?count=1&interval=0&split=3`);
  assert.equal(r.end, 'complete');
  assert.equal(
    Buffer.concat(r.chunks.map((c) => c.data)).toString(),
    '{"success":"ok","text":"message 1"}\n',
  );
});
