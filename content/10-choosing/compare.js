// The same feed over five transports at once, for 6 seconds. Each counts what it received.
const stats = {};
const count = (name, messages, bytes, requests = 0) => {
  stats[name] ??= { messages: 0, bytes: 0, requests: 0 };
  const s = stats[name];
  s.messages += messages;
  s.bytes += bytes;
  s.requests += requests;
};
const size = (text) => new TextEncoder().encode(text).length; // bytes, not characters
const stop = new AbortController();
setTimeout(() => stop.abort(), 6000);
const { last } = await (await fetch('news')).json(); // where the feed is now (not counted)

async function shortPolling(since) {
  while (!stop.signal.aborted) {
    const body = await (await fetch(`news?since=${since}`)).text();
    const answer = JSON.parse(body);
    count('short polling', answer.messages.length, size(body), 1);
    since = answer.last;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
async function longPolling(since) {
  while (!stop.signal.aborted) {
    const res = await fetch(`poll?since=${since}&timeout=20000`, { signal: stop.signal }).catch(() => null);
    if (!res) return; // aborted at the end of the 6 s
    const body = res.status === 200 ? await res.text() : '';
    if (body) since = JSON.parse(body).last;
    count('long polling', body ? JSON.parse(body).messages.length : 0, size(body), 1);
  }
}
async function streaming() {
  const res = await fetch('stream?source=feed', { signal: stop.signal });
  count('comet stream', 0, 0, 1);
  const lines = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value } = await lines.read();
      count('comet stream', value.split('\n').length - 1, size(value)); // one JSON line per message
    }
  } catch {} // aborted at the end of the 6 s
}
function sse() {
  const es = new EventSource('sse');
  count('SSE', 0, 0, 1);
  es.addEventListener('tick', (e) => count('SSE', 1, size(e.data))); // the data only: see the inspector
  stop.signal.addEventListener('abort', () => es.close());
}
function webSocket() {
  const ws = new WebSocket('ws');
  count('WebSocket', 0, 0, 1);
  ws.onmessage = (e) => count('WebSocket', 1, size(e.data));
  stop.signal.addEventListener('abort', () => ws.close(1000, 'done'));
}

sse();
webSocket();
await Promise.all([shortPolling(last), longPolling(last), streaming()]);

console.log('transport      messages  body bytes  bytes/message  requests');
for (const [name, s] of Object.entries(stats)) {
  const per = s.messages ? (s.bytes / s.messages).toFixed(1) : '—';
  console.log(
    `${name.padEnd(14)} ${String(s.messages).padStart(8)} ${String(s.bytes).padStart(11)} ${per.padStart(14)} ${String(s.requests).padStart(9)}`,
  );
}
