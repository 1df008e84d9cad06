// mute=3：传完 3 条消息之后，服务器就不出声了。它什么也不发、什么也不回，
// 却也不关闭连接：页面收不到 close 事件，readyState 一直是 OPEN。
// 只有心跳能发现：每秒一个 ping，2.5 秒一句话都没有的线路，就当它死了。
const ws = new WebSocket('ws?mute=3');
let heard = performance.now(); // 服务器最后一次说话的时刻
ws.onmessage = (e) => {
  heard = performance.now();
  if (e.data === 'pong') return;
  const m = JSON.parse(e.data);
  if (m.type === 'tick') console.log(`行情 #${m.id}：${m.data.price}`);
};
const beat = setInterval(() => {
  const silent = performance.now() - heard;
  if (silent > 2500) {
    console.log(
      `已经 ${Math.round(silent)} 毫秒没有任何消息，readyState 仍是 ${ws.readyState}（OPEN）：关掉它`,
    );
    clearInterval(beat);
    ws.close(4000, 'no answer to ping');
    return;
  }
  if (ws.readyState === WebSocket.OPEN) ws.send('ping');
}, 1000);
ws.onclose = (e) => console.log(`连接关闭，代码 ${e.code}`);
