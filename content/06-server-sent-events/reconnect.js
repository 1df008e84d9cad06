// count=3: the lab ends the response after 3 events; retry=1000: come back after 1 s.
const es = new EventSource('sse?count=3&retry=1000');
let events = 0;
es.onopen = () => console.log('open');
es.onerror = () => console.log('the stream ended — readyState', es.readyState, '(0 = reconnecting)');
es.addEventListener('tick', (event) => {
  events += 1;
  console.log(`tick id ${event.lastEventId}`);
  if (events === 6) es.close(); // two connections' worth, then stop for good
});
