// A common hand-made reconnect: on error, throw the EventSource away and open a new one.
// Fixed: the new EventSource asks to resume after the last id it saw.
let last = ''; // the id of the last event received
let received = 0;

function connect() {
  // A script cannot set the Last-Event-ID header; the lab also reads `lastEventId=` in the URL.
  const es = new EventSource(last ? `sse?drop=3&lastEventId=${last}` : 'sse?drop=3');
  es.addEventListener('tick', (e) => {
    last = e.lastEventId;
    console.log('tick', last);
    if (++received === 6) es.close();
  });
  es.onerror = () => {
    es.close();
    console.log('dropped after id', last, '— reconnecting');
    setTimeout(connect, 1500);
  };
}
connect();
