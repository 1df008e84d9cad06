// buffer=1：实验服务器像一个会缓冲的代理那样，把整个响应攒到结束才发出。
const start = performance.now();
const res = await fetch('stream?buffer=1');
console.log('Content-Length:', res.headers.get('content-length'));
const reader = res.body.getReader();
const decoder = new TextDecoder();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  const text = decoder.decode(value, { stream: true });
  console.log(`${seconds} 秒：一次读到 ${value.length} 字节，${text.split('\n').length - 1} 行`);
}
