// EventSource 把字节藏起来了；fetch 能让我们看到。把事件流当普通文本读。
const res = await fetch('sse?retry=1000&count=3'); // count=3：实验服务器发完 3 个事件就结束
console.log(res.status, res.headers.get('content-type'));

const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  console.log(JSON.stringify(value)); // JSON.stringify 会把每个 "\n" 显示出来
}
console.log('响应结束了：换成 EventSource，这时就会重连');
