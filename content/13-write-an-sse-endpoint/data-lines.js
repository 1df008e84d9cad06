// Reads the stream your own handler writes (your server code, in the step's second editor).
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
