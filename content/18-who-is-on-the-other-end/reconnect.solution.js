/** Asks the lab for a one-time ticket. */
async function fetchTicket() {
  const res = await fetch('ticket', { method: 'POST' });
  return (await res.json()).ticket;
}

/** One connection: says hello, closes when its hello comes back; resolves when closed. */
function connect(n, url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send(`hello ${n}`);
    ws.onmessage = () => ws.close(1000, 'done');
    ws.onclose = (e) => {
      console.log(
        `connection ${n}: close ${e.code}${e.code === 1006 ? ' (refused: see the inspector)' : ''}`,
      );
      resolve();
    };
  });
}

// The page connects three times, as a page does after each network hiccup.
for (let n = 1; n <= 3; n++) {
  // A ticket opens one connection only: each connection asks for its own, just before it opens.
  const ticket = await fetchTicket();
  await connect(n, `ws?ticket=${ticket}`);
}
