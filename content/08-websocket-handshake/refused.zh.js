// status=403：实验服务器用 403 Forbidden 而不是 101 回答握手。
const t0 = performance.now();
const ws = new WebSocket('echo?status=403');

ws.onopen = () => console.log('连接已打开（这次不会）');
// error 事件里既没有状态码也没有正文：脚本不会被告知握手为什么失败。
ws.onerror = () => console.log('error 事件');
ws.onclose = (e) => {
  const ms = Math.round(performance.now() - t0);
  console.log(`close 事件：e.code ${e.code}，e.wasClean ${e.wasClean}，用了 ${ms} 毫秒`);
};
