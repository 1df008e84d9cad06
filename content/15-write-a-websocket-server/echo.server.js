// An echo server: every text message goes back to the socket it came from.
onWebSocket({
  open(ws, req) {
    // The handshake is done: the 101 has gone out and frames can flow both ways.
    console.log('socket', ws.id, 'opened', req.path);
    ws.send(`welcome, socket ${ws.id}`);
  },
  message(ws, data) {
    console.log('socket', ws.id, 'says', data);
    if (data === 'bye') {
      // The handler chooses the code and the reason: 4000–4999 are the application's own
      // (RFC 6455 §7.4.2), the reason at most 123 bytes.
      ws.close(4000, 'see you');
      return;
    }
    ws.send(data); // one unmasked text frame: servers never mask (RFC 6455 §5.1)
  },
  close(ws, code, reason) {
    console.log('socket', ws.id, 'closed', code, reason);
  },
});
