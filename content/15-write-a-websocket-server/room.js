// Three people on one page: three WebSockets to your room handler.
const names = ['Ada', 'Bob', 'Cy'];

/** Opens `name`'s socket and shows what it hears in its own column; resolves once it is open. */
function join(name) {
  const column = document.createElement('section');
  column.innerHTML = '<h3></h3>';
  column.firstChild.textContent = name;
  document.body.append(column);
  const ws = new WebSocket('mine/room');
  ws.onmessage = (e) => {
    console.log(`${name} hears`, e.data);
    const line = document.createElement('p');
    line.textContent = e.data; // as text: anyone in a room can send anything
    column.append(line);
  };
  ws.onclose = (e) => console.log(`${name}: closed`, e.code, JSON.stringify(e.reason));
  return new Promise((resolve) => (ws.onopen = () => resolve(ws)));
}

// One after the other, so the room sees them come in this order.
const people = [];
for (const name of names) people.push(await join(name));

// Then everyone speaks at once, twice, each on their own socket.
people.forEach((ws, i) => {
  ws.send(`${names[i]}: hello`);
  ws.send(`${names[i]}: is this thing on?`);
});

setTimeout(() => {
  for (const ws of people) ws.close(1000, 'done');
}, 3000);
