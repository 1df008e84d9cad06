import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pagefindQueries } from '../../../src/search/search-dialog.ts';
import { rankByWords, wordScore } from '../../../src/search/rank-words.ts';
import { hasHan, segmentZh } from '../../../src/search/segment-zh.ts';

describe('Chinese query segmentation', () => {
  it('keeps the words ICU does not know whole instead of single characters', () => {
    // Intl.Segmenter alone gives 重|连, 长|轮|询, 掩|码 for these.
    assert.deepEqual(segmentZh('重连'), ['重连']);
    assert.deepEqual(segmentZh('长轮询'), ['长轮询']);
    assert.deepEqual(segmentZh('掩码'), ['掩码']);
  });

  it('keeps the words ICU knows as they are and splits a phrase into them', () => {
    assert.deepEqual(segmentZh('心跳'), ['心跳']);
    assert.deepEqual(segmentZh('自动重连'), ['自动', '重连']);
  });

  it('joins a lone character to the word beside it, so it does not match pages on its own', () => {
    // ICU gives 事件|流, 服务|器|推送, 文本|事件|流, 流|事件.
    assert.deepEqual(segmentZh('事件流'), ['事件流']);
    assert.deepEqual(segmentZh('服务器推送'), ['服务器', '推送']);
    assert.deepEqual(segmentZh('文本事件流'), ['文本', '事件流']);
    assert.deepEqual(segmentZh('流'), ['流']);
  });

  it('drops punctuation, spaces and function words and passes Latin words through', () => {
    assert.deepEqual(segmentZh('SSE 的重连，Last-Event-ID'), ['SSE', '重连', 'Last', 'Event', 'ID']);
    assert.deepEqual(segmentZh('掩码和分帧'), ['掩码', '分帧']);
    assert.deepEqual(segmentZh('  ，。 '), []);
  });

  it('tells Chinese text from other text', () => {
    assert.equal(hasHan('掩码'), true);
    assert.equal(hasHan('chunked encoding'), false);
  });
});

describe('Pagefind queries for a search', () => {
  it('sends a query with no Chinese as typed', () => {
    assert.deepEqual(pagefindQueries('chunked encoding'), ['chunked encoding']);
  });

  it('asks for each Chinese word as an exact phrase, one search per word', () => {
    assert.deepEqual(pagefindQueries('重连'), ['"重连"']);
    assert.deepEqual(pagefindQueries('重连 心跳'), ['"重连"', '"心跳"']);
    assert.deepEqual(pagefindQueries('SSE 重连'), ['SSE', '"重连"']);
  });
});

describe('ranking the pages a Chinese query found', () => {
  const page = (title: string, content: string) => ({ meta: { title }, content });
  it('puts the page that explains the word before one that names it in passing', () => {
    const frames = page('WebSocket 帧', '掩码键 … 掩码 … 带掩码 … 掩码'.repeat(3));
    const comeback = page('断了还能回来的连接', '带掩码的 pong');
    assert.deepEqual(rankByWords([comeback, frames], ['掩码']), [frames, comeback]);
  });

  it('puts a title that is the word first, then a title that holds it, whatever the counts', () => {
    const lesson = page('长轮询', '长轮询');
    const writing = page('自己写一个长轮询接口', '长轮询 长轮询');
    const choosing = page('如何选择传输方式', '长轮询 长轮询 长轮询 长轮询 长轮询');
    assert.deepEqual(rankByWords([choosing, writing, lesson], ['长轮询']), [lesson, writing, choosing]);
  });

  it("keeps Pagefind's order between equal scores, and counts every word of the query", () => {
    const a = page('甲', '重连 心跳');
    const b = page('乙', '重连 心跳');
    const c = page('丙', '重连 心跳 心跳');
    assert.deepEqual(rankByWords([a, b, c], ['重连', '心跳']), [c, a, b]);
    assert.equal(wordScore(page('心跳', ''), ['心跳']), 1000);
  });
});
