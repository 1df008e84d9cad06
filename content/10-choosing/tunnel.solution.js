// A price ticker for commuters: the server talks, the page only listens, and the train keeps
// going into tunnels. drop=3 plays them: the connection is cut after every 3 messages.
// Print each tick once, in order, with none missing, until 6 have arrived.
// Server → page only, resume after a cut: that is what EventSource does by itself. It reconnects
// (after retry ms) and sends Last-Event-ID, so the server carries on after the last tick it had.
const es = new EventSource('sse?drop=3&retry=500');
let printed = 0;
es.addEventListener('tick', (e) => {
  console.log(`tick #${e.lastEventId}: ${JSON.parse(e.data).price}`);
  printed += 1;
  if (printed === 6) es.close();
});
es.onerror = () => console.log(`cut after ${printed} ticks; EventSource reconnects by itself`);
