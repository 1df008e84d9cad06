// 像调用聊天接口那样提问：用 POST，把问题写成 JSON 放进请求体。
// EventSource 做不到（它只会发 GET，既不能带请求体，也不能加你自己的首部），fetch 可以。
const res = await fetch('complete?pace=150', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' }, // 不是“简单”类型：浏览器会先发一个预检请求
  body: JSON.stringify({ prompt: '服务器怎样把数据推给浏览器？', max_tokens: 12 }),
});
console.log(res.status, res.headers.get('content-type'));

// 回答是一个事件流，随着词元到达不断变长：先把它当纯文本来读。
const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  console.log(JSON.stringify(value)); // 用 JSON.stringify 打印，每个 "\n" 都看得见
}
console.log('响应结束了（收到了长度为 0 的块）');
