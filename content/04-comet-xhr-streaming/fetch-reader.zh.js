// 同一个流，这次用 fetch：响应体是一个由字节组成的 ReadableStream。
// split=random 会在任意位置把它切开，就像网络和代理可能做的那样：一次读取可能停在一行的中间，
// 甚至停在一个字符的中间（UTF-8 里 📨 占 4 个字节，每个汉字占 3 个）。
const res = await fetch('stream?lang=zh&split=random');
console.log(res.status, res.headers.get('content-type'));
const reader = res.body.getReader();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // TODO：这里以为每次读到的都是完整的行、完整的字符。请把还没收到结尾的半行留下来，
  // 并且整条流只用一个 TextDecoder 来解码，让它替你留住被切开的字符。
  const text = new TextDecoder().decode(value);
  for (const line of text.split('\n')) {
    if (line) console.log(`读到 ${value.length} 个字节 →`, JSON.parse(line).text);
  }
}
console.log('流结束了（收到了长度为 0 的块）');
