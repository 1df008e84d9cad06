// The same bytes, read with fetch: nothing is executed, we only look at the text.
const res = await fetch('stream?format=script&count=5&interval=500');
console.log(res.headers.get('content-type'));
const reader = res.body.getReader();
const decoder = new TextDecoder();
let html = ''; // received text not yet handled
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  html += decoder.decode(value, { stream: true });
  // A whole call ends with ")</script>"; the JSON cannot hold "</" (the lab writes < as \u003c).
  let used = 0;
  for (const match of html.matchAll(/<script>parent\.push\((.*?)\)<\/script>/g)) {
    console.log(JSON.parse(match[1]).text);
    used = match.index + match[0].length;
  }
  html = html.slice(used); // keep a call cut in half for the next read
}
