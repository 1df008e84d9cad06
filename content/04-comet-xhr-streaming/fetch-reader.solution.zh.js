// 同一个流，这次用 fetch：响应体是一个由字节组成的 ReadableStream。
// split=random 会在任意位置把它切开，就像网络和代理可能做的那样：一次读取可能停在一行的中间，
// 甚至停在一个字符的中间（UTF-8 里 📨 占 4 个字节，每个汉字占 3 个）。
const res = await fetch('stream?lang=zh&split=random');
console.log(res.status, res.headers.get('content-type'));
const reader = res.body.getReader();
const decoder = new TextDecoder(); // 整条流共用一个解码器：字节 → 文本
let pending = ''; // 一行的开头，它的结尾还没到
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // stream: true 会把跨两次读取的 UTF-8 字符的前半截留到下一次再解码。
  pending += decoder.decode(value, { stream: true });
  const lines = pending.split('\n');
  pending = lines.pop(); // 最后一段还不是完整的一行（暂时）
  for (const line of lines) console.log(`读到 ${value.length} 个字节 →`, JSON.parse(line).text);
}
console.log('流结束了（收到了长度为 0 的块）');
