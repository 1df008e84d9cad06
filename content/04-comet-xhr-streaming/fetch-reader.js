// The same stream with fetch: the body is a ReadableStream of bytes.
// split=random cuts it wherever it likes, as networks and proxies may: a read can end in the
// middle of a line, even in the middle of a character (📨 is 4 bytes in UTF-8, ✅ is 3).
const res = await fetch('stream?lang=en&split=random');
console.log(res.status, res.headers.get('content-type'));
const reader = res.body.getReader();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // TODO: this believes every read holds whole lines of whole characters. Keep the start of a
  // line whose end has not arrived yet, and decode with one TextDecoder that keeps a cut character.
  const text = new TextDecoder().decode(value);
  for (const line of text.split('\n')) {
    if (line) console.log(`read ${value.length} bytes →`, JSON.parse(line).text);
  }
}
console.log('stream ended (the 0-size chunk arrived)');
