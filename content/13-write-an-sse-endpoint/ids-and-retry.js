// drop=3: your handler ends the stream after every 3 events; EventSource reconnects by itself,
// `retry` ms later, and sends the last id it received as Last-Event-ID.
const es = new EventSource('mine/headlines?drop=3');
const ids = [];

es.onopen = () => console.log('open');
es.onerror = () => console.log('error: readyState', es.readyState, '(0 = CONNECTING: it reconnects)');
// The events are named `headline`: onmessage would see none of them.
es.addEventListener('headline', (e) => {
  ids.push(e.lastEventId);
  console.log(`#${e.lastEventId}`, JSON.parse(e.data).text);
  if (ids.length === 9) {
    es.close();
    console.log('ids received:', ids.join(' '));
  }
});
