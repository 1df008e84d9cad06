// buffer=1: the lab behaves like a buffering proxy and holds the whole response until its end.
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
  console.log(`${seconds} s: a read of ${value.length} bytes, ${text.split('\n').length - 1} lines`);
}
