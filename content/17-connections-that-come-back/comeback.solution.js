// A ticker that must come back from everything: plan= scripts this page's connections.
// The first is cut after 2 messages, then the server is restarting for 3 attempts (closed 1013 at once),
// then it goes quiet after 2 messages without closing, then it cuts after 2 again.
// Print every tick once, in order, none missing, until 9 have arrived.
const PLAN = 'plan=drop2,down3,mute2,drop2';
let last = null; // id of the last message received: where to resume
let ticks = 0;
let attempt = 0; // failed attempts in a row

function comeBack(why) {
  // Exponential backoff (300, 600, 1200 ms… up to 10 s) with jitter on half of it.
  const ceiling = Math.min(10_000, 300 * 2 ** attempt);
  const wait = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  attempt += 1;
  console.log(`${why}; attempt ${attempt} in ${wait} ms`);
  setTimeout(connect, wait);
}

function connect() {
  const ws = new WebSocket(last === null ? `ws?${PLAN}` : `ws?${PLAN}&since=${last}`);
  let heard = performance.now();
  const beat = setInterval(() => {
    if (performance.now() - heard > 2500) {
      // Half-open: no close event will come. Give up on this socket and come back.
      clearInterval(beat);
      ws.onclose = null;
      ws.close(4000, 'no answer to ping');
      comeBack('no answer for 2.5 s');
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send('ping');
  }, 1000);
  ws.onmessage = (e) => {
    heard = performance.now();
    attempt = 0; // a message proves the server is back
    if (e.data === 'pong') return;
    const m = JSON.parse(e.data);
    last = m.id;
    if (m.type !== 'tick') return;
    console.log(`tick #${m.id}: ${m.data.price}`);
    ticks += 1;
    if (ticks === 9) {
      clearInterval(beat);
      ws.close(1000);
    }
  };
  ws.onclose = (e) => {
    clearInterval(beat);
    if (ticks < 9) comeBack(`closed ${e.code}`);
  };
}
connect();
