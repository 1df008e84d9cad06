// Long polling a room: one held request at a time, each starting after the last id seen.
const room = 'lobby';
const me = learnerName; // this tab's name in the room: the same on every Run
const sent = await fetch(`send?room=${room}`, { method: 'POST', body: `${me}: hello over long polling` });
const { id } = await sent.json(); // the id the room gave our message
let since = id - 1; // start just before it, so it comes back with the first answer
const until = Date.now() + 5000;

while (Date.now() < until) {
  const res = await fetch(`poll?room=${room}&since=${since}&timeout=3000`);
  if (res.status === 204) continue; // nothing new in 3 s: ask again, same `since`
  const { messages, last } = await res.json();
  since = last;
  for (const m of messages) {
    if (m.type === 'chat') console.log(`#${m.id}`, m.data);
  }
}
