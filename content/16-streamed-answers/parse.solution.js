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

let answer = '';
let type = ''; // the event being gathered: its event: field…
let data = []; // …and its data: lines

/** A blank line ends an event: add its token to the answer. False at the sentinel. */
function dispatch() {
  const text = data.join('\n'); // several data: lines are one text, joined with "\n"
  const name = type || 'message'; // no event: field means "message"
  const gathered = data.length > 0; // a comment's blank line ends no event
  type = '';
  data = [];
  if (!gathered) return true;
  if (text === '[DONE]') return false;
  answer += name === 'text' ? text : JSON.parse(text).token;
  p.textContent = answer;
  return true;
}

const reader = res.body.getReader();
const decoder = new TextDecoder(); // one decoder for the whole stream: bytes → text
let pending = ''; // the start of a line whose end has not arrived yet
read: for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // stream: true keeps a UTF-8 character cut across two reads for the next call.
  pending += decoder.decode(value, { stream: true });
  const lines = pending.split('\n');
  pending = lines.pop(); // not a whole line (yet)
  for (const line of lines) {
    if (line === '') {
      if (!dispatch()) break read; // data: [DONE]: the answer is complete
    } else if (line.startsWith(':')) {
      // a comment (": keep-alive"): nothing to show
    } else {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let text = colon < 0 ? '' : line.slice(colon + 1);
      if (text.startsWith(' ')) text = text.slice(1); // one space after the colon is not data
      if (field === 'data') data.push(text);
      else if (field === 'event') type = text;
    }
  }
}
console.log(`the whole answer, ${answer.length} characters:\n${answer}`);
