// permessage-deflate (RFC 7692): ask the lab to compress, then send something repetitive.
const ws = new WebSocket('ws?deflate=1');
const text = 'tick tock '.repeat(100); // 1000 bytes that say the same thing 100 times

ws.onopen = () => {
  console.log('extensions:', ws.extensions); // what the handshake agreed
  ws.send(text);
};
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.type !== 'chat') return; // a tick of the feed may come first
  console.log('back:', e.data.length, 'characters; the inspector shows how few bytes crossed');
  ws.close(1000, 'done');
};
ws.onclose = (e) => console.log('closed', e.code);
