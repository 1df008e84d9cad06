// The same loop, with a quiet moment: nothing is sent while poll 3 waits. Only your handler's
// timeout can end it. The loop treats an empty answer like any other: since = last.
const say = (text) => fetch('mine/send', { method: 'POST', body: text });

let since = 0;
await say('one');
for (let n = 1; n <= 4; n++) {
  if (n === 3) console.log('poll 3: nothing will be sent now; your handler must answer it in time');
  if (n === 4) setTimeout(() => say('three'), 1000); // while poll 4 waits
  const res = await fetch(`mine/poll?since=${since}`);
  const { messages, last } = await res.json();
  const got = messages.map((m) => `#${m.id} ${m.data}`).join(', ') || 'nothing new (the timeout)';
  console.log(`poll ${n} (since=${since}): ${got} → last=${last}`);
  since = last;
  if (n === 1) await say('two');
}
