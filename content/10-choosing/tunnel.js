// A price ticker for commuters: the server talks, the page only listens, and the train keeps
// going into tunnels. drop=3 plays them: the connection is cut after every 3 messages.
// Print each tick once, in order, with none missing, until 6 have arrived.
// TODO: this WebSocket goes deaf at the first tunnel. Choose the transport that fits this page
// (lesson 10, "So, which one?"), keep drop=3 in its URL, and keep the console lines as they are.
const ws = new WebSocket('ws?drop=3');
let printed = 0;
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.type !== 'tick') return;
  console.log(`tick #${m.id}: ${m.data.price}`);
  printed += 1;
  if (printed === 6) ws.close(1000);
};
ws.onclose = (e) => console.log(`closed ${e.code}; ${printed} ticks so far`);
