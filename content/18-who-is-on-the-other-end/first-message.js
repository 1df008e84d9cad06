const { ticket } = await (await fetch('ticket', { method: 'POST' })).json();

// auth=first: nothing secret in the URL. The ticket travels inside the connection.
const ws = new WebSocket('ws?auth=first');
ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', ticket }));
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.type === 'auth') {
    console.log('authenticated: the feed starts now');
    ws.send('hello from a known user');
  } else if (m.type === 'chat') {
    console.log('chat:', m.data);
    ws.close(1000, 'done');
  }
};
ws.onclose = (e) => console.log(`close ${e.code}`);

// A socket that says something else first is closed with 1008, and it can read why.
const rude = new WebSocket('ws?auth=first');
rude.onopen = () => rude.send('hello');
rude.onclose = (e) => console.log(`the other socket: close ${e.code} "${e.reason}"`);
