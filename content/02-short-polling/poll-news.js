// Every second, ask the feed what is new. The answer comes at once, often empty.
let polls = 0;
const timer = setInterval(async () => {
  polls += 1;
  if (polls === 6) clearInterval(timer);
  // TODO: say where you stopped last time, so the server sends only what is new.
  const res = await fetch('news');
  const { messages, last } = await res.json();
  const ids = messages.map((m) => m.id);
  console.log(
    `poll ${polls}: ${ids.length} message(s) (ids ${ids[0] ?? '–'}…${ids.at(-1) ?? '–'}), last = ${last}`,
  );
}, 1000);
