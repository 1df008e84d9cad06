import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSequence, renderSequence } from '../../../src/markdown/sequence-diagram.ts';

describe('sequence diagrams', () => {
  it('reads requests, replies, cuts, gaps and notes in order', () => {
    const d = parseSequence(
      'Browser -> Server: GET /poll\n... held 25 s\nServer --> Browser: 204\nServer -x Browser: drop=3\nnote: reconnect',
    );
    assert.deepEqual(d.participants, ['Browser', 'Server']);
    assert.deepEqual(
      d.rows.map((r) => (r.kind === 'arrow' ? `${r.style}:${r.label}` : `${r.kind}:${r.label}`)),
      ['send:GET /poll', 'gap:held 25 s', 'reply:204', 'cut:drop=3', 'note:reconnect'],
    );
  });

  it('names the line it cannot read', () => {
    assert.throws(() => parseSequence('Browser -> Server: ok\nthis is not an arrow'), /line 2/);
  });

  it('colours the first participant as the client and escapes labels', () => {
    const svg = renderSequence(
      parseSequence('浏览器 -> 服务器: GET /sse?<x>\n服务器 --> 浏览器: data: 你好'),
    );
    assert.match(svg, /class="seq-arrow seq-in seq-send"/);
    assert.match(svg, /class="seq-arrow seq-out seq-reply"/);
    assert.match(svg, /GET \/sse\?&#60;x&#62;/);
    assert.match(svg, /data: 你好/);
    assert.doesNotMatch(svg, /<x>/);
  });
});
