// Messages do not wait for a poll to be open: here one goes out before the first poll,
// one between two polls, and one while a poll waits.
const say = (text) => fetch('mine/send', { method: 'POST', body: text });

let since = 0;
await say('one'); // nobody is polling yet
for (let n = 1; n <= 3; n++) {
  if (n === 3) setTimeout(() => say('three'), 1000); // while poll 3 waits
  const res = await fetch(`mine/poll?since=${since}`);
  const { messages, last } = await res.json();
  console.log(`poll ${n} (since=${since}): ${messages.map((m) => `#${m.id} ${m.data}`).join(', ')}`);
  since = last;
  if (n === 1) await say('two'); // between two polls: nobody is waiting right now
}
