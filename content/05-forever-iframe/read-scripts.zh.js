// 同样的字节，这次用 fetch 读：什么也不执行，只看文本。
const res = await fetch('stream?format=script&count=5&interval=500');
console.log(res.headers.get('content-type'));
const reader = res.body.getReader();
const decoder = new TextDecoder();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // TODO：从每个 <script>parent.push(…)</script> 里取出 JSON，打印它的 text。
  console.log(decoder.decode(value, { stream: true }));
}
