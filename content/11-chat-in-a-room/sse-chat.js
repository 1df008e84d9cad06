// Everyone who names the same room code shares one feed: use your class's code, or share one.
const room = 'lobby';
const me = learnerName; // this tab's name in the room: the same on every Run
const es = new EventSource(`sse?room=${room}`);

// The room's feed carries `tick` events too: a chat only listens to `chat`.
es.addEventListener('chat', (e) => {
  console.log(`#${e.lastEventId}`, e.data);
  const line = document.createElement('p');
  line.textContent = e.data; // text, never HTML: anyone in the room can write anything
  document.body.append(line);
});
es.onopen = async () => {
  // Sending is an ordinary POST; a text/plain body needs no CORS preflight.
  await fetch(`send?room=${room}`, { method: 'POST', body: `${me}: hello over SSE` });
};
setTimeout(() => es.close(), 5000); // listen for 5 s, then leave the room
