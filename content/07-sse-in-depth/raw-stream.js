// EventSource hides the bytes; fetch shows them. Read an event stream as plain text.
const res = await fetch('sse?retry=1000&count=3'); // count=3: the lab ends it after 3 events
console.log(res.status, res.headers.get('content-type'));

const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  console.log(JSON.stringify(value)); // JSON.stringify shows each "\n"
}
console.log('the response ended: an EventSource would now reconnect');
