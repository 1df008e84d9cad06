// mute=3: after 3 messages the server goes quiet. It sends nothing more, answers nothing, and
// does not close either: the page gets no close event and readyState stays OPEN.
// Only a heartbeat notices: a ping each second, and a line that has said nothing for 2.5 s is dead.
const ws = new WebSocket('ws?mute=3');
let heard = performance.now(); // when the server last said anything
ws.onmessage = (e) => {
  heard = performance.now();
  if (e.data === 'pong') return;
  const m = JSON.parse(e.data);
  if (m.type === 'tick') console.log(`tick #${m.id}: ${m.data.price}`);
};
const beat = setInterval(() => {
  const silent = performance.now() - heard;
  if (silent > 2500) {
    console.log(`nothing for ${Math.round(silent)} ms, readyState still ${ws.readyState} (OPEN): closing it`);
    clearInterval(beat);
    ws.close(4000, 'no answer to ping');
    return;
  }
  if (ws.readyState === WebSocket.OPEN) ws.send('ping');
}, 1000);
ws.onclose = (e) => console.log(`closed ${e.code}`);
