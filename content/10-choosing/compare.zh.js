// 同一个数据源，同时用五种传输方式读 6 秒。每一种都统计自己收到了什么。
const stats = {};
const count = (name, messages, bytes, requests = 0) => {
  stats[name] ??= { messages: 0, bytes: 0, requests: 0 };
  const s = stats[name];
  s.messages += messages;
  s.bytes += bytes;
  s.requests += requests;
};
// 汉字在等宽字体里占两格：补空格时少补一些，列才对得齐。
const width = (text) => (text.match(/\p{Script=Han}/gu) ?? []).length;
const size = (text) => new TextEncoder().encode(text).length; // 字节数，不是字符数
const stop = new AbortController();
setTimeout(() => stop.abort(), 6000);
const { last } = await (await fetch('news')).json(); // 数据源现在到了哪里（不计入统计）

async function shortPolling(since) {
  while (!stop.signal.aborted) {
    const body = await (await fetch(`news?since=${since}`)).text();
    const answer = JSON.parse(body);
    count('短轮询', answer.messages.length, size(body), 1);
    since = answer.last;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
async function longPolling(since) {
  while (!stop.signal.aborted) {
    const res = await fetch(`poll?since=${since}&timeout=20000`, { signal: stop.signal }).catch(() => null);
    if (!res) return; // 6 秒到了，被中止
    const body = res.status === 200 ? await res.text() : '';
    if (body) since = JSON.parse(body).last;
    count('长轮询', body ? JSON.parse(body).messages.length : 0, size(body), 1);
  }
}
async function streaming() {
  const res = await fetch('stream?source=feed', { signal: stop.signal });
  count('Comet 流', 0, 0, 1);
  const lines = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value } = await lines.read();
      count('Comet 流', value.split('\n').length - 1, size(value)); // 每条消息一行 JSON
    }
  } catch {} // 6 秒到了，被中止
}
function sse() {
  const es = new EventSource('sse');
  count('SSE', 0, 0, 1);
  es.addEventListener('tick', (e) => count('SSE', 1, size(e.data))); // 只算 data：其余的看检查器
  stop.signal.addEventListener('abort', () => es.close());
}
function webSocket() {
  const ws = new WebSocket('ws');
  count('WebSocket', 0, 0, 1);
  ws.onmessage = (e) => count('WebSocket', 1, size(e.data));
  stop.signal.addEventListener('abort', () => ws.close(1000, '完成'));
}

sse();
webSocket();
await Promise.all([shortPolling(last), longPolling(last), streaming()]);

console.log('传输方式        消息数   正文字节数   每条消息字节数     请求数');
for (const [name, s] of Object.entries(stats)) {
  const per = s.messages ? (s.bytes / s.messages).toFixed(1) : '—';
  console.log(
    `${name.padEnd(14 - width(name))} ${String(s.messages).padStart(6)} ${String(s.bytes).padStart(12)} ${per.padStart(15)} ${String(s.requests).padStart(10)}`,
  );
}
