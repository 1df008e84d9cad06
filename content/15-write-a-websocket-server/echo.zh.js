// 和你自己写的回显服务器对话：先打个招呼，再请它关闭连接。
const ws = new WebSocket('mine/echo'); // 相对地址，和实验服务器的其他接口一样：ws://…/lab/<会话>/mine/echo

ws.onopen = () => ws.send('你好');
ws.onmessage = (e) => {
  console.log('服务器发来：', e.data);
  if (e.data === '你好') ws.send('再见'); // 回显回来了：现在请服务器关闭
};
ws.onclose = (e) => {
  // 关闭码和原因，就是你的处理程序在 ws.close(code, reason) 里选的那两个。
  console.log('close 事件：e.code', e.code, 'e.reason', JSON.stringify(e.reason), 'e.wasClean', e.wasClean);
};
