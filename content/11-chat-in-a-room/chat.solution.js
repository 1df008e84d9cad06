// A chat client that shows a message only once the room's feed brings it back.
const room = 'lobby';
const me = learnerName; // this tab's name in the room: the same on every Run
const text = `${me}: is anyone here?`;

function show(line) {
  const p = document.createElement('p');
  p.textContent = line;
  document.body.append(p);
  console.log('shown:', line);
}

const es = new EventSource(`sse?room=${room}`);
es.addEventListener('chat', (e) => {
  show(e.data); // ours and everyone else's, in the room's order
  if (e.data === text) setTimeout(() => es.close(), 1000);
});
// Listen first, then send: the stream starts with new messages only.
es.onopen = () => fetch(`send?room=${room}`, { method: 'POST', body: text });
