// EventSource: one request, then events as the server writes them.
const es = new EventSource('sse');
es.onopen = () => console.log('open — readyState', es.readyState);
let ticks = 0;
// Named events ("event: tick") go to listeners for that name, not to onmessage.
es.addEventListener('tick', (event) => {
  ticks += 1;
  console.log(`tick ${event.lastEventId}:`, JSON.parse(event.data).price);
  if (ticks === 3) es.close();
});
// A guard so the run ends by itself.
setTimeout(() => {
  if (es.readyState === EventSource.CLOSED) return;
  console.log(`5 s and ${ticks} messages — closing`);
  es.close();
}, 5000);
