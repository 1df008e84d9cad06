// The lab pings every WebSocket (RFC 6455 ping frames) and the browser answers by itself, but
// page code never sees either: there is no onping. So a page that wants to know the line is alive
// sends its own ping, as a message, and the lab's ws answers it with the message pong.
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
  if (e.data !== 'pong') return; // ticks are for the other steps
  pongs += 1;
  console.log(`pong ${pongs} after ${(performance.now() - sentAt).toFixed(1)} ms`);
  if (pongs === 4) ws.close(1000);
};
