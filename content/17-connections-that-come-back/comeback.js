// A ticker that must come back from everything: plan= scripts this page's connections.
// The first is cut after 2 messages, then the server is restarting for 3 attempts (closed 1013 at once),
// then it goes quiet after 2 messages without closing, then it cuts after 2 again.
// Print every tick once, in order, none missing, until 9 have arrived.
// TODO 1: this page comes back at once, every time. Wait before each attempt: a ceiling that
//         doubles with each failed attempt (back to the first after a message arrives), and jitter.
// TODO 2: it never notices a server that went quiet. Add a heartbeat: send ping every second,
//         and close a connection that has said nothing (not even pong) for a few seconds.
// Keep plan= and since= in the URL, and the console lines as they are.
const PLAN = 'plan=drop2,down3,mute2,drop2';
let last = null; // id of the last message received: where to resume
let ticks = 0;

function connect() {
  const ws = new WebSocket(last === null ? `ws?${PLAN}` : `ws?${PLAN}&since=${last}`);
  ws.onmessage = (e) => {
    if (e.data === 'pong') return;
    const m = JSON.parse(e.data);
    last = m.id;
    if (m.type !== 'tick') return;
    console.log(`tick #${m.id}: ${m.data.price}`);
    ticks += 1;
    if (ticks === 9) ws.close(1000);
  };
  ws.onclose = (e) => {
    if (ticks === 9) return;
    console.log(`closed ${e.code}; connecting again at once`);
    connect();
  };
}
connect();
