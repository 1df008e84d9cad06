// The same bytes, read with fetch: nothing is executed, we only look at the text.
const res = await fetch('stream?format=script&count=5&interval=500');
console.log(res.headers.get('content-type'));
const reader = res.body.getReader();
const decoder = new TextDecoder();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // TODO: take the JSON out of each <script>parent.push(…)</script> and log its text.
  console.log(decoder.decode(value, { stream: true }));
}
