// delay=2000：实验服务器等 2 秒才回答握手。
const t0 = performance.now();
const ws = new WebSocket('echo?delay=2000');
const timer = setInterval(() => console.log('readyState', ws.readyState), 500); // 0 = CONNECTING

ws.onopen = () => {
  clearInterval(timer);
  console.log(`${Math.round(performance.now() - t0)} 毫秒后连接打开`);
  ws.close(1000, '完成');
};
ws.onclose = (e) => console.log('已关闭', e.code, e.reason);
