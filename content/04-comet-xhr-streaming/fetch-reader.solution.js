// The same stream with fetch: the body is a ReadableStream of bytes.
// split=random cuts it wherever it likes, as networks and proxies may: a read can end in the
// middle of a line, even in the middle of a character (📨 is 4 bytes in UTF-8, ✅ is 3).
const res = await fetch('stream?lang=en&split=random');
console.log(res.status, res.headers.get('content-type'));
const reader = res.body.getReader();
const decoder = new TextDecoder(); // one decoder for the whole stream: bytes → text
let pending = ''; // the start of a line whose end has not arrived yet
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // stream: true keeps a UTF-8 character split across two reads for the next call.
  pending += decoder.decode(value, { stream: true });
  const lines = pending.split('\n');
  pending = lines.pop(); // the last piece is not a complete line (yet)
  for (const line of lines) console.log(`read ${value.length} bytes →`, JSON.parse(line).text);
}
console.log('stream ended (the 0-size chunk arrived)');
