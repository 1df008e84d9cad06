// Ask a question the way chat APIs are asked: a POST with the question as JSON.
// EventSource cannot do this (it only GETs, with no body and no headers of yours): fetch can.
const res = await fetch('complete?pace=150', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' }, // not a "simple" type: a preflight goes first
  body: JSON.stringify({ prompt: 'How do servers push data to a browser?', max_tokens: 12 }),
});
console.log(res.status, res.headers.get('content-type'));

// The answer is an event stream that grows as the tokens come: read it as plain text.
const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  console.log(JSON.stringify(value)); // JSON.stringify shows each "\n"
}
console.log('the response ended (the 0-size chunk arrived)');
