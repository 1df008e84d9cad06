/**
 * Finding English words in text a Chinese page shows, for the "Chinese all the way down" tests
 * (tests/unit/inspector/wire-text.test.ts, tests/e2e/zh-everywhere.spec.ts).
 *
 * What is not prose is left out before words are counted: quoted text ("…", “…”: data off the
 * wire or out of the learner's code), and tokens that are code or bytes — anything with a digit,
 * a dot, a slash, an equals sign, an underscore, camelCase, or a hyphenated capitalised header
 * name (Content-Type, Sec-WebSocket-Key). What remains must be a word of PROTOCOL_WORDS (or of
 * CODE_WORDS, where code is expected).
 */

/**
 * Words a Chinese page may show as they are (case matters), each for a reason: protocol and
 * format names and the RFC's field names, which Chinese technical writing leaves in Latin script
 * (the lessons do too: FIN, opcode, MASK); the event stream's field names; HTTP methods, reason
 * phrases and header tokens; names of techniques, encodings, the site, browsers and tools; key
 * names; byte units.
 */
// biome-ignore format: a word list reads better packed than one word a line
export const PROTOCOL_WORDS = new Set([
  // protocols, formats, standards bodies, algorithms, RFC 6455 field names
  'HTTP', 'HTTPS', 'SSE', 'WebSocket', 'WebSockets', 'EventSource', 'XHR', 'XMLHttpRequest', 'JSON',
  'URL', 'TCP', 'IP', 'FIN', 'RST', 'ACK', 'SYN', 'CRLF', 'CR', 'LF', 'SP', 'UTF', 'BOM', 'NUL',
  'ASCII', 'RFC', 'WHATWG', 'HTML', 'IANA', 'TLS', 'CORS', 'API', 'DOM', 'MDN', 'LAN', 'QR', 'PHP',
  'SHA', 'GUID', 'token', 'opcode', 'MASK', 'RSV', 'ping', 'pong', 'Close', 'Ping', 'Pong', 'base64',
  'permessage', 'deflate', 'gzip', 'GBK', 'Huffman', 'Cookie', 'iframe', 'script', 'JavaScript',
  'Node', 'localhost', 'HAR', 'pcap', 'Wireshark', 'tshark', 'AI', 'CDN', 'NAT', 'ID', 'WS', 'http',
  'https', 'wss', 'Web', 'Crypto', 'Service', 'Worker', 'worker', 'mod',
  // techniques, people, products and attacks by their names
  'Comet', 'Ajax', 'Forever', 'forever', 'Bayeux', 'Alex', 'Russell', 'Facebook', 'Internet',
  'Explorer', 'IE', 'nginx', 'Apache', 'Go', 'XSS',
  // the event stream's field names (WHATWG HTML §9.2.6)
  'data', 'event', 'id', 'retry',
  // HTTP methods, reason phrases (the status line's words), header tokens
  'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'OK', 'No', 'Content', 'Switching',
  'Protocols', 'Forbidden', 'Not', 'Found', 'Modified', 'Created', 'Continue', 'chunked', 'keep',
  'alive', 'no', 'cache', 'upgrade', 'websocket',
  // the site, browsers, keys, units
  'Wire', 'Lab', 'Chromium', 'Chrome', 'Firefox', 'Safari', 'DevTools', 'Monaco', 'Ctrl', 'Cmd',
  'Alt', 'Shift', 'Enter', 'Tab', 'Esc', 'B', 'KB', 'KiB', 'MB', 'MiB', 'ms', 's', 'µs',
]);

/**
 * What a learner also reads in Latin script on a zh lesson page: the lab's event types, JSON
 * keys and endpoints (as URL paths), the event names of the browser APIs (open, message, error,
 * close), their constants, and the few payloads a lesson's check requires ("hello" in lesson 8,
 * the bytes de ad be ef of lesson 9, "liftoff" in lesson 12).
 */
// biome-ignore format: a word list reads better packed than one word a line
export const CODE_WORDS = new Set([
  'message', 'tick', 'chat', 'push', 'since', 'last', 'seq', 'time', 'price', 'messages', 'lobby',
  'open', 'error', 'close', 'fetch', 'send', 'onopen', 'onmessage', 'onerror', 'onclose', 'jQuery',
  'success', 'CONNECTING', 'OPEN', 'CLOSING', 'CLOSED', 'null', 'true', 'false',
  'sse', 'ws', 'echo', 'poll', 'news', 'stream', 'ticket', 'text', 'type', 'reader', 'async', 'await', 'src', 'UNSENT',
  'OPENED', 'LOADING', 'DONE',
  // lesson 8 names the two handshake values by the headers' last words
  'key', 'accept', 'Key', 'Accept',
  'hello', 'deadbeef', 'de', 'ad', 'be', 'ef',
  // lesson 15's room messages, {"type":"join"|"chat"|"leave","id","from","text","members","code","reason"},
  // cut short in the inspector's frame previews where no closing brace is left to mark them as JSON
  'join', 'leave', 'from', 'members', 'code', 'reason',
  // the learner's own server's endpoint, and the last line of lesson 12's countdown
  'mine', 'liftoff',
  // lesson 16's endpoint (complete?pace=…)
  'complete',
]);

/** A token that is code, bytes or a header name rather than a word of prose. */
function isCodeToken(token: string): boolean {
  return (
    /[0-9._/=\\@#$%&*+<>{}[\]|~^`]/.test(token) ||
    /[a-z][A-Z]/.test(token) ||
    /^[A-Z][A-Za-z]*(-[A-Z][A-Za-z]*)+$/.test(token) || // Content-Type, Sec-WebSocket-Key, Last-Event-ID
    /^[0-9a-f]{2}$/.test(token) || // a byte in hex (masking keys)
    /^E[A-Z]{4,}$/.test(token) // an error code (ECONNRESET)
  );
}

/**
 * Names written in English by convention (the spec's title), a field line's name before its
 * value, and the English term a Chinese text gives in parentheses after its own word
 * (源（origin）, 短轮询（short polling）, （也叫 forever frame）): a gloss, not untranslated text.
 */
const PHRASES =
  /Server-Sent Events|\b[A-Z][A-Za-z]*(-[A-Za-z]+)*: |（(?:也叫|又称|即)?\s*[A-Za-z][A-Za-z -]*）/g;

/** A value cut short and shown with an ellipsis (`票 okhrgy…`: a ticket's first characters), not a word. */
const CUT_VALUE = /[A-Za-z0-9_-]+…/g;

/** A JSON object or a code block in braces, as the console and the decoded tree print them. */
const JSON_OBJECT = /\{[^{}\n]*\}/g;

/** Quoted runs: data off the wire or out of the learner's code, shown as it is. */
const QUOTED = /"[^"\n]*"|“(?:[^“”\n]|“[^”\n]*”)*”|‘[^’\n]*’|「[^」\n]*」/g;

/**
 * The English words of `text` that are neither code nor allowed, in order of appearance.
 * `code`: also allow CODE_WORDS (a lesson page's console and prose; not the inspector's own words).
 */
export function englishWords(text: string, code = false): string[] {
  const found: string[] = [];
  const prose = text
    .replace(JSON_OBJECT, ' ')
    .replace(QUOTED, ' ')
    .replace(PHRASES, ' ')
    .replace(CUT_VALUE, ' ');
  for (const raw of prose.split(/[\s\p{Script=Han}，。、；：！？（）《》…—–·→←↑↓⏎▸▾⚠✓×,;:!?()'"]+/u)) {
    const token = raw.replace(/^[-]+|[-]+$/g, '');
    // One letter is a variable or a label (x, n, T), not a word.
    if (!/[A-Za-z]{2}/.test(token) || isCodeToken(token)) continue;
    for (const word of token.split(/-/)) {
      if (!word || !/[A-Za-z]/.test(word)) continue;
      if (PROTOCOL_WORDS.has(token) || PROTOCOL_WORDS.has(word)) continue;
      if (code && (CODE_WORDS.has(token) || CODE_WORDS.has(word))) continue;
      found.push(word);
    }
  }
  return found;
}

/**
 * Whether a decoded-tree label is the message's own bytes: the label of a field kind the
 * inspector shows verbatim (`isVerbatim`, from wire-text.ts), or an SSE line or event drawn as
 * `name: value` from the stream.
 */
export function labelIsBytes(kind: string, label: string, isVerbatim: (kind: string) => boolean): boolean {
  if (isVerbatim(kind)) return true;
  if (kind === 'sse-line' || kind === 'sse-event') return /^[^:]*(:|$)/.test(label);
  return false;
}
