// new WebSocket() starts an HTTP request; `open` fires once the server has answered 101.
const ws = new WebSocket('echo');
console.log('readyState', ws.readyState); // 0 = CONNECTING: the handshake is under way

ws.onopen = () => {
  console.log('open: 101 Switching Protocols received');
  // What the server agreed to: no subprotocol, no extension (the lab declines compression).
  console.log('protocol:', JSON.stringify(ws.protocol), 'extensions:', JSON.stringify(ws.extensions));
  ws.send('hello');
};
ws.onmessage = (e) => {
  console.log('echoed:', e.data);
  ws.close(1000, 'done');
};
ws.onclose = (e) => console.log('closed', e.code, e.reason);
