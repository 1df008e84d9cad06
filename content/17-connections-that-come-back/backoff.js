// A page that comes back after a cut, but not all at once.
// plan= scripts this page's connections: the first is cut after 2 messages (drop2), then the
// server is restarting for three attempts (down3: each is accepted, then closed at once with 1013).
const PLAN = 'plan=drop2,down3';
let last = null; // id of the last message received: where to resume
let ticks = 0;
let attempt = 0; // failed attempts in a row

function connect() {
  const ws = new WebSocket(last === null ? `ws?${PLAN}` : `ws?${PLAN}&since=${last}`);
  ws.onmessage = (e) => {
    attempt = 0; // a message, not just an open, proves the server is back
    const m = JSON.parse(e.data);
    last = m.id;
    if (m.type !== 'tick') return;
    console.log(`tick #${m.id}: ${m.data.price}`);
    ticks += 1;
    if (ticks === 4) ws.close(1000);
  };
  ws.onclose = (e) => {
    if (ticks === 4) return;
    // Exponential: the ceiling doubles each failed attempt (300, 600, 1200 ms…), up to 10 s.
    // Jitter: half of the wait is fixed, the other half random, so pages spread out.
    const ceiling = Math.min(10_000, 300 * 2 ** attempt);
    const wait = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    attempt += 1;
    console.log(`closed ${e.code}; attempt ${attempt} in ${wait} ms`);
    setTimeout(connect, wait);
  };
}
connect();

// Why the random half: 300 pages of a class lose the server at the same moment.
const busiest = (waits) => {
  const slots = new Map(); // handshakes per 50 ms
  for (const w of waits) slots.set(Math.floor(w / 50), (slots.get(Math.floor(w / 50)) ?? 0) + 1);
  return Math.max(...slots.values());
};
const fixed = Array.from({ length: 300 }, () => 600);
const jittered = Array.from({ length: 300 }, () => 300 + Math.random() * 300);
console.log(
  `300 pages, 2nd attempt, busiest 50 ms: ${busiest(fixed)} handshakes without jitter, ${busiest(jittered)} with`,
);
