// 谁先关闭？现在由浏览器先关，带上自己的关闭码和原因。
const ws = new WebSocket('echo');

ws.onopen = () => {
  ws.send('最后一句话');
};
ws.onmessage = () => {
  ws.close(4000, 'bye'); // 关闭码必须是 1000 或 3000–4999；原因最多 123 个字节
};
ws.onclose = (e) => {
  console.log('close 事件：e.code', e.code, 'e.reason', JSON.stringify(e.reason), 'e.wasClean', e.wasClean);
};
