// "Stop generating": an AbortController cancels the fetch, and the connection with it.
const controller = new AbortController();
const button = document.createElement('button');
button.textContent = 'Stop generating';
button.onclick = () => controller.abort();
const p = document.createElement('p');
p.style.whiteSpace = 'pre-wrap';
document.body.append(button, p);

const res = await fetch('complete?pace=150', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ prompt: 'Tell me a long story about bytes.', max_tokens: 60 }),
  signal: controller.signal, // abort() ends the request, the body and the connection
});

let answer = '';
let tokens = 0;
let type = '';
let data = [];
const decoder = new TextDecoder();
let pending = '';
try {
  const reader = res.body.getReader();
  read: for (;;) {
    const { value, done } = await reader.read(); // rejects with an AbortError after abort()
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      if (line.startsWith(':')) continue; // a comment
      if (line !== '') {
        const [field, ...rest] = line.split(':');
        const text = rest.join(':').replace(/^ /, '');
        if (field === 'data') data.push(text);
        if (field === 'event') type = text;
        continue;
      }
      if (data.length === 0) continue;
      const text = data.join('\n');
      const name = type || 'message';
      type = '';
      data = [];
      if (text === '[DONE]') break read;
      answer += name === 'text' ? text : JSON.parse(text).token;
      p.textContent = answer;
      // Nobody clicks in a walk-through: after 15 tokens, press the button ourselves.
      if (++tokens === 15) button.click();
    }
  }
  console.log('the answer came whole:', answer);
} catch (err) {
  if (err.name !== 'AbortError') throw err;
  console.log(`stopped after ${tokens} tokens: ${answer}`);
}
