// Every second, ask the feed what is new. The answer comes at once, often empty.
let polls = 0;
let since = 0; // the cursor: the id of the last message we have
const timer = setInterval(async () => {
  polls += 1;
  if (polls === 6) clearInterval(timer);
  const res = await fetch(`news?since=${since}`);
  const { messages, last } = await res.json();
  const ids = messages.map((m) => m.id);
  console.log(
    `poll ${polls}: ${ids.length} message(s) (ids ${ids[0] ?? '–'}…${ids.at(-1) ?? '–'}), last = ${last}`,
  );
  since = last; // next time, only what came after this
}, 1000);
