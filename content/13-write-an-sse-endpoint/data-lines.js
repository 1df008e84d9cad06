// Reads the stream your handler (the Server tab) writes.
const es = new EventSource('mine/clock');
let received = 0;

es.onopen = () => console.log('open: readyState', es.readyState);
es.onerror = () => console.log('error: readyState', es.readyState);
es.onmessage = (e) => {
  console.log(e.data);
  if (++received === 5) {
    es.close(); // or EventSource reconnects when the response ends
    console.log('closed after', received, 'events');
  }
};
