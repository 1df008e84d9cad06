// A common hand-made reconnect: on error, throw the EventSource away and open a new one.
// Run it and compare the ids before and after the drop.
let last = ''; // the id of the last event received
let received = 0;

function connect() {
  const es = new EventSource('sse?drop=3');
  es.addEventListener('tick', (e) => {
    last = e.lastEventId;
    console.log('tick', last);
    if (++received === 6) es.close();
  });
  es.onerror = () => {
    es.close(); // a new EventSource starts with an empty last event ID…
    console.log('dropped after id', last, '— reconnecting');
    setTimeout(connect, 1500);
  };
}
connect();
