/**
 * The inspector's decoded tree in Chinese: every label, note and error message the dissectors
 * emit for the wire and inspector test vectors (every test of tests/unit/wire and
 * tests/unit/inspector, imported below, runs its conversations through a ConnectionDissector:
 * hand-made captures, byte-by-byte splits, mutated bytes, protocol errors) has a Chinese
 * rendering with no English words left outside code, header names and protocol tokens.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { en } from '../../../src/i18n/en.ts';
import { zh } from '../../../src/i18n/zh.ts';
import {
  isVerbatimKind,
  matchWireText,
  NESTED,
  wireText,
} from '../../../src/playground/inspector/wire-text.ts';
import { ConnectionDissector, type Field } from '../../../src/wire/index.ts';
import { englishWords, labelIsBytes } from '../../helpers/english-words.ts';

// Every dissector the imported tests feed is remembered, to read its items once they have run.
const fed = new Set<ConnectionDissector>();
const proto = ConnectionDissector.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const method of ['push', 'end'] as const) {
  const original = proto[method]!;
  proto[method] = function (this: ConnectionDissector, ...args: unknown[]) {
    fed.add(this);
    return original.apply(this, args);
  };
}
for (const dir of ['wire', 'inspector']) {
  const folder = new URL(`../${dir}/`, import.meta.url);
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.test.ts') && f !== 'wire-text.test.ts')) {
    await import(new URL(file, folder).href);
  }
}

interface Text {
  kind: string;
  what: 'label' | 'note' | 'error';
  text: string;
}

function collect(): Text[] {
  const seen = new Map<string, Text>();
  const add = (t: Text) => seen.set(`${t.what}\0${t.kind}\0${t.text}`, t);
  const walk = (f: Field) => {
    add({ kind: f.kind, what: 'label', text: f.label });
    if (f.note) add({ kind: f.kind, what: 'note', text: f.note });
    if (f.error) add({ kind: f.kind, what: 'error', text: f.error.message });
    for (const c of f.children ?? []) walk(c);
  };
  for (const d of fed) for (const item of d.items) walk(item);
  return [...seen.values()];
}

/**
 * The Chinese words a text is drawn with: its template with the dissector words in it
 * (NESTED placeholders) and without the bytes it quotes; undefined when no template fits.
 */
function wordsOf(text: string): string | undefined {
  const hit = matchWireText(text);
  if (!hit) return undefined;
  return zh[hit.key].replace(/\{(\w+)\}/g, (_, name: string) =>
    NESTED.has(name) ? (wordsOf(hit.values[name] ?? '') ?? hit.values[name] ?? '') : ' ',
  );
}

test('every label, note and error the dissectors emit for the test vectors reads in Chinese', () => {
  const texts = collect();
  assert.ok(texts.length > 500, `the imported tests fed the dissectors (${texts.length} distinct texts)`);
  const kinds = new Set(texts.map((t) => t.kind));
  for (const k of [
    'chunk-size',
    'sse-line',
    'ws-fin',
    'ws-mask-key',
    'ws-frame',
    'ws-message',
    'error',
    'fin',
  ])
    assert.ok(kinds.has(k), `the vectors include ${k} fields`);
  const left: string[] = [];
  for (const t of texts) {
    const shown = wireText(t.text, 'zh', t.what === 'label' ? t.kind : undefined);
    if (shown === t.text && t.what === 'label' && labelIsBytes(t.kind, t.text, isVerbatimKind)) continue;
    const words = englishWords(wordsOf(t.text) ?? shown);
    if (words.length > 0)
      left.push(`${t.kind} ${t.what}: "${t.text}" → "${shown}" (English: ${words.join(' ')})`);
  }
  assert.deepEqual(left, [], `${left.length} texts keep English words:\n${left.slice(0, 60).join('\n')}`);
});

test('a random value cut short with an ellipsis is not an English word; the same letters without one still are', () => {
  assert.deepEqual(englishWords('票 okhrgy…：只能开一条连接，30 秒内有效', true), []);
  assert.deepEqual(
    englishWords('票 okhrgy：只能开一条连接', true),
    ['okhrgy'],
    'the same without the ellipsis is still caught',
  );
});

test('the words the issue names read in Chinese, bytes and tokens kept as they are', () => {
  assert.equal(wireText('chunk size 0x39 = 57', 'zh', 'chunk-size'), '块大小 0x39 = 57');
  assert.equal(wireText('blank line → dispatch', 'zh', 'sse-line'), '空行 → 派发事件');
  assert.equal(wireText('masking key 37 fa 21 3d', 'zh', 'ws-mask-key'), '掩码键 37 fa 21 3d');
  assert.equal(wireText('FIN 1: final frame of the message', 'zh', 'ws-fin'), 'FIN 1：消息的最后一帧');
  assert.equal(wireText('ping frame, 0 bytes, masked', 'zh', 'ws-frame'), 'ping 帧，0 字节，带掩码');
  assert.equal(
    wireText('close frame 1000 "done", 8 bytes, masked', 'zh', 'ws-frame'),
    '关闭帧 1000 "done"，8 字节，带掩码',
  );
  assert.equal(wireText('close code 1000 normal closure', 'zh', 'ws-close-code'), '关闭码 1000 正常关闭');
  assert.equal(
    wireText('compressed: inflated in the message item; unmasked with key 01 02 03 04', 'zh'),
    '压缩过：解压后的内容在消息那一项里；已用掩码键 01 02 03 04 去掉掩码',
  );
  // A header or a data value is the bytes themselves, even when it looks like a dissector word.
  assert.equal(wireText('comment', 'zh', 'sse-field-value'), 'comment');
  assert.equal(wireText('Content-Type', 'zh', 'header-name'), 'Content-Type');
  // English pages get the dissector's text untouched.
  assert.equal(wireText('chunk size 0x39 = 57', 'en', 'chunk-size'), 'chunk size 0x39 = 57');
});

test("the lab's fault notes read in Chinese", () => {
  for (const note of [
    'fault: drop=0 — connection cut before any answer',
    'fault: drop=3 — connection cut after 3 messages',
    'fault: delay=2000 — waiting 2000 ms before the first byte',
    'fault: buffer=1 — the whole response is held until its end',
    'fault: status=204 asked for in the query — no real error happened',
  ]) {
    const shown = wireText(note, 'zh');
    assert.deepEqual(englishWords(shown), [], `${note} → ${shown}`);
  }
});

test("a learner's handler that threw is noted in Chinese, the exception quoted as JavaScript gave it", () => {
  assert.equal(
    wireText('Your handler threw Error: This WebSocket is closed. (line 7, column 41).', 'zh'),
    '你的处理程序抛出了异常“Error: This WebSocket is closed.”（第 7 行，第 41 列）。',
  );
  for (const note of [
    "Your handler threw TypeError: cannot read property 'x' of undefined (line 3).",
    'Your handler threw Error: Your code registered no WebSocket handler: call onWebSocket({ open, message, close }).',
  ]) {
    const shown = wireText(note, 'zh');
    assert.deepEqual(englishWords(shown), [], `${note} → ${shown}`);
  }
});

test('each wire template has the same placeholders in both languages', () => {
  const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(en) as (keyof typeof en)[]) {
    if (!key.startsWith('wire.')) continue;
    assert.deepEqual(names(zh[key]), names(en[key]), key);
    // A template matches its own English text, so no template is shadowed by a wider one.
    const sample = en[key].replace(/\{(\w+)\}/g, (_, name: string) => (name === 'hex' ? '0x7' : '7'));
    assert.equal(matchWireText(sample)?.key, key, `"${sample}" is read as ${key}`);
  }
});
