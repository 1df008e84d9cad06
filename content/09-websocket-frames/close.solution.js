// Who closes first? Now the browser does, with its own code and reason.
const ws = new WebSocket('echo');

ws.onopen = () => {
  ws.send('last words');
};
ws.onmessage = () => {
  ws.close(4000, 'bye'); // the code must be 1000 or 3000–4999; the reason at most 123 bytes
};
ws.onclose = (e) => {
  console.log('close event: code', e.code, 'reason', JSON.stringify(e.reason), 'clean', e.wasClean);
};
