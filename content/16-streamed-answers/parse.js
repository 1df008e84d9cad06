// The answer, token by token, into the page. split=random cuts the stream wherever it likes, as
// networks and proxies may: a read can end in the middle of an event, even of a character.
const res = await fetch('complete?split=random', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ prompt: 'How do servers push data to a browser?', max_tokens: 20 }),
});
console.log(res.status, res.headers.get('content-type'));

// The answer grows in this paragraph (the Preview tab shows it).
const p = document.createElement('p');
p.style.whiteSpace = 'pre-wrap'; // keep the answer's line breaks
document.body.append(p);

const reader = res.body.getReader();
let answer = '';
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // TODO: this believes every read holds whole events, each one "data: {json}" on one line.
  // Keep what a read leaves unfinished for the next one (and one TextDecoder with
  // { stream: true }), read the stream line by line, skip comments, gather an event's data:
  // lines until the blank line, join them with "\n", and mind event: text.
  for (const event of new TextDecoder().decode(value).split('\n\n')) {
    if (!event.startsWith('data: ')) continue; // a comment, or an event: line
    const data = event.slice('data: '.length);
    if (data === '[DONE]') break;
    answer += JSON.parse(data).token;
    p.textContent = answer;
  }
}
console.log(`the whole answer, ${answer.length} characters:\n${answer}`);
