// One WebSocket both ways: text you send joins the room's feed and comes back to everyone.
const room = 'lobby';
const me = learnerName; // this tab's name in the room: the same on every Run
const ws = new WebSocket(`ws?room=${room}`);

ws.onopen = () => ws.send(`${me}: hello over WebSocket`);
ws.onmessage = (e) => {
  const m = JSON.parse(e.data); // every frame is one feed message: {id, type, time, data}
  if (m.type !== 'chat') return; // skip the ticks
  const text = typeof m.data === 'string' ? m.data : JSON.stringify(m.data);
  console.log(`#${m.id}`, text);
  const line = document.createElement('p');
  line.textContent = text;
  document.body.append(line);
};
setTimeout(() => ws.close(1000, 'leaving'), 5000);
