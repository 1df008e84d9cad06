// 谁先关闭？这里是浏览器请服务器来关。
const ws = new WebSocket('echo');

ws.onopen = () => {
  ws.send(JSON.stringify({ close: 4000, reason: 'bye' })); // 实验服务器的 echo 会用这个关闭码关闭
};
ws.onclose = (e) => {
  // 4000–4999 留给应用使用；1006（从不出现在线路上）表示没有收到关闭帧。
  console.log('close 事件：e.code', e.code, 'e.reason', JSON.stringify(e.reason), 'e.wasClean', e.wasClean);
};
