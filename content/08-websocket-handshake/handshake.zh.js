// new WebSocket() 会发起一个 HTTP 请求；服务器回答 101 之后才触发 `open`。
const ws = new WebSocket('echo');
console.log('readyState', ws.readyState); // 0 = CONNECTING：握手正在进行

ws.onopen = () => {
  console.log('连接已打开：收到了 101 Switching Protocols');
  // 服务器同意了什么：没有子协议，也没有扩展（实验服务器不接受压缩）。
  console.log('ws.protocol:', JSON.stringify(ws.protocol), 'ws.extensions:', JSON.stringify(ws.extensions));
  ws.send('hello');
};
ws.onmessage = (e) => {
  console.log('回声：', e.data);
  ws.close(1000, '完成');
};
ws.onclose = (e) => console.log('已关闭', e.code, e.reason);
