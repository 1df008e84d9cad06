// Who closes first? Here the browser asks the server to do it.
const ws = new WebSocket('echo');

ws.onopen = () => {
  ws.send(JSON.stringify({ close: 4000, reason: 'bye' })); // the lab's echo closes with this code
};
ws.onclose = (e) => {
  // 4000–4999 are for applications; 1006 (never on the wire) would mean no close frame came.
  console.log('close event: code', e.code, 'reason', JSON.stringify(e.reason), 'clean', e.wasClean);
};
