// 实验服务器会给每个 WebSocket 发 ping 帧（RFC 6455），浏览器自动回应，但页面代码对这两者都一无所知：
// 根本没有 onping。所以页面想知道线路还通不通，就得自己发一条 ping 消息，
// 实验服务器的 ws 会用一条 pong 消息回答。
const ws = new WebSocket('ws');
let sentAt = 0;
let pongs = 0;
ws.onopen = () => {
  const beat = setInterval(() => {
    sentAt = performance.now();
    ws.send('ping');
  }, 1000);
  ws.onclose = () => clearInterval(beat);
};
ws.onmessage = (e) => {
  if (e.data !== 'pong') return; // 行情留给其他几步
  pongs += 1;
  console.log(`第 ${pongs} 个 pong，用时 ${(performance.now() - sentAt).toFixed(1)} 毫秒`);
  if (pongs === 4) ws.close(1000);
};
