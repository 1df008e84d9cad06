// drop=3: the lab cuts the TCP connection after every 3rd event.
// retry=2000: the stream tells EventSource to wait 2 s before reconnecting.
const es = new EventSource('sse?drop=3&retry=2000');
const ids = [];

es.onopen = () => console.log('open');
es.onerror = () => console.log('error: readyState', es.readyState, '(0 = CONNECTING again)');
es.addEventListener('tick', (e) => {
  ids.push(Number(e.lastEventId));
  console.log('tick', e.lastEventId);
  if (ids.length === 6) {
    es.close();
    console.log('ids received:', ids.join(' ')); // no gap, no repeat
  }
});
