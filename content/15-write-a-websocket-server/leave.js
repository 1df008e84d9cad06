// Ada says goodbye and leaves; Bob and Cy stay and keep talking.
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
    line.textContent = e.data;
    column.append(line);
  };
  ws.onclose = (e) => console.log(`${name}: closed`, e.code, JSON.stringify(e.reason));
  return new Promise((resolve) => (ws.onopen = () => resolve(ws)));
}

const ada = await join('Ada');
const bob = await join('Bob');
const cy = await join('Cy');

ada.send('Ada: I have to go, bye!');
ada.close(1000, 'gone home'); // the browser's close frame, with a code and a reason

// Bob waits until the room says someone left (or 1.5 s, for a room that never says it).
await new Promise((resolve) => {
  bob.addEventListener('message', (e) => {
    if (e.data.includes('"leave"')) resolve();
  });
  setTimeout(resolve, 1500);
});
bob.send('Bob: where did Ada go?');
cy.send('Cy: home, she said.');

setTimeout(() => {
  bob.close(1000, 'done');
  cy.close(1000, 'done');
}, 2000);
