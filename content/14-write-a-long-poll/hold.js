// The client: lesson 3's long-poll loop, now reading your handler (mine/poll).
// Three chat messages go out, one a second, each while a poll waits at your handler.
const say = (text) => fetch('mine/send', { method: 'POST', body: text });
setTimeout(() => say('one'), 1000);
setTimeout(() => say('two'), 2000);
setTimeout(() => say('three'), 3000);

let since = 0;
for (let n = 1; n <= 3; n++) {
  const res = await fetch(`mine/poll?since=${since}`);
  const { messages, last } = await res.json();
  console.log(`poll ${n} (since=${since}): ${messages.map((m) => `#${m.id} ${m.data}`).join(', ')}`);
  since = last; // the cursor: the next poll starts after the last message we have
}
