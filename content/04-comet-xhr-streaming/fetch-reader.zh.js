// 用 fetch 读同一个流：响应体是一个字节的 ReadableStream。
const res = await fetch('stream');
console.log(res.status, res.headers.get('content-type'));
const reader = res.body.getReader();
const decoder = new TextDecoder(); // 字节 → 文本
let pending = ''; // 一行的开头，它的结尾还没到
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // stream: true 让被两次读取拆开的 UTF-8 字符留到下一次调用再拼起来。
  pending += decoder.decode(value, { stream: true });
  const lines = pending.split('\n');
  pending = lines.pop(); // 最后一段（暂时）还不是完整的一行
  for (const line of lines) console.log(`读到 ${value.length} 字节 →`, JSON.parse(line));
}
console.log('流结束了（大小为 0 的块到了）');
