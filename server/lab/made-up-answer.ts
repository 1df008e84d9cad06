/**
 * The words `POST complete` streams: a short, friendly answer made up from a few sentences, cut
 * into tokens the way a language model's tokenizer cuts text (a word with its leading space, a
 * long word in two pieces, punctuation on its own; in Chinese a word at a time).
 *
 * No model runs here. The answer is drawn from a PRNG seeded by the session and the prompt
 * (prng.ts), so the same prompt in the same session gets the same tokens on any server, after any
 * restart, and a learner can compare what their page shows with what crossed the wire.
 */
import { fnv1a, mulberry32 } from './prng.ts';

export type AnswerLanguage = 'en' | 'zh';

interface Words {
  openers: readonly string[];
  sentences: readonly string[];
  closers: readonly string[];
  /** Cuts one sentence into tokens. */
  tokenize(sentence: string): string[];
}

// Typographic apostrophes, dashes and an emoji: beyond ASCII, so a cut can fall inside a character
// (’ and — are 3 bytes in UTF-8, 🙂 is 4) in English too.
const ENGLISH: Words = {
  openers: [
    'Good question! 🙂',
    'Happy to help — here goes.',
    'Let’s think about that.',
    'Here’s a short answer.',
  ],
  sentences: [
    'A server can answer in pieces, long before it knows the whole reply.',
    'Each piece is a small event, and the page shows it the moment it arrives.',
    'That’s why the words seem to appear one by one, as if someone were typing.',
    'The connection stays open until the last token has been sent.',
    'Nothing is lost as long as the reader keeps what it hasn’t finished yet.',
    'Bytes don’t care where a word ends — a read may stop halfway through one.',
    'A blank line tells the reader that one event is complete.',
    'If you no longer want the answer, close the connection and the server stops writing.',
    'Every token costs only a few bytes on the wire, so patience is cheap.',
    'The same prompt in the same session always gets the same answer, so runs can be compared.',
  ],
  closers: ['I hope that helps! 🙂', 'Happy streaming. ✨', 'Try it, and watch the inspector.'],
  tokenize(sentence) {
    const tokens: string[] = [];
    // A word with the space before it, or one other character: " server", ",", "."
    for (const [piece] of sentence.matchAll(/ ?[A-Za-z'’]+| ?[^ A-Za-z'’]/gu)) {
      // Long words come in two tokens, as a tokenizer's vocabulary splits rare words: " connect" "ion".
      if (piece.trim().length >= 8) {
        const at = Math.ceil(piece.length / 2) + 1;
        tokens.push(piece.slice(0, at), piece.slice(at));
      } else tokens.push(piece);
    }
    return tokens;
  },
};

// Chinese is written without spaces: "|" marks where one token ends (never sent), about where a
// tokenizer trained on Chinese would cut: a word of one to three characters, punctuation alone.
const CHINESE: Words = {
  openers: ['好|问题|！', '很|乐意|回答|。', '我|想|一想|。', '简单|说|一下|。'],
  sentences: [
    '服务器|可以|一边|想|一边|回答|，|不必|等|整段|话|都|准备|好|。',
    '每个|小|片段|都是|一个|事件|，|页面|一|收到|就|把它|显示|出来|。',
    '所以|文字|看起来|是|一个|一个|冒|出来|的|，|就像|有人|在|打字|。',
    '连接|一直|开着|，|直到|最后|一个|词|发|出去|为止|。',
    '只要|读|的|一方|留住|还没|读完|的|部分|，|就|什么|都|不会|丢|。',
    '字节|不管|一个|字|在|哪里|结束|，|一次|读取|可能|停在|一个|字|的|中间|。',
    '一个|空行|告诉|读|的|一方|：|这个|事件|完整|了|。',
    '如果|不想|再|等|，|就|关掉|连接|，|服务器|也|会|停|下来|。',
    '每个|词|在|线路|上|只|占|几个|字节|，|所以|慢慢|等|也|不费|什么|。',
    '同一个|会话|里|同样|的|问题|，|总是|得到|同样|的|回答|，|方便|对比|。',
  ],
  closers: ['希望|对你|有|帮助|！', '祝你|学得|开心|。', '去|检查器|里|看看|吧|。'],
  tokenize: (sentence) => sentence.split('|'),
};

/** `zh` when the prompt holds a Han character, else `en`. */
export function answerLanguage(prompt: string): AnswerLanguage {
  return /\p{Script=Han}/u.test(prompt) ? 'zh' : 'en';
}

/**
 * The first `maxTokens` tokens of the answer to `prompt` in `session`: an opener, two paragraphs
 * of two sentences, a closer. A paragraph starts with "\n\n" in its first token, so a token can
 * hold a line break (complete.ts sends such a token as text, one `data:` line per line).
 */
export function madeUpAnswer(session: string, prompt: string, maxTokens: number): string[] {
  const lang = answerLanguage(prompt);
  const words = lang === 'zh' ? CHINESE : ENGLISH;
  const random = mulberry32(fnv1a(`${session}\n${prompt}`));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

  // Four different sentences, in a shuffled order (Fisher–Yates).
  const order = [...words.sentences];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const between = lang === 'en' ? ' ' : '|'; // what joins two sentences of a paragraph
  const paragraphs = [[pick(words.openers)], order.slice(0, 2), order.slice(2, 4), [pick(words.closers)]];

  const tokens: string[] = [];
  for (const [p, sentences] of paragraphs.entries()) {
    const text = sentences.join(between);
    const cut = words.tokenize(text);
    if (p > 0) cut[0] = `\n\n${cut[0]}`; // a new paragraph: the break rides on its first token
    tokens.push(...cut);
    if (tokens.length >= maxTokens) break;
  }
  return tokens.slice(0, maxTokens);
}
