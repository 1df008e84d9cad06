// The room again, now with people who leave.
const room = new Set(); // top level: one room shared by every socket this handler serves

/** Sends `message` to every member of the room: one text frame on each socket. */
function broadcast(message) {
  const text = JSON.stringify(message);
  for (const member of room) member.send(text);
}

onWebSocket({
  open(ws) {
    room.add(ws);
    broadcast({ type: 'join', id: ws.id, members: room.size });
  },
  message(ws, data) {
    broadcast({ type: 'chat', from: ws.id, text: data });
  },
  close(ws, code, reason) {
    // Runs once the connection is gone: the close handshake is over and the TCP
    // connection closed. Sending on ws now throws.
    console.log('socket', ws.id, 'left with', code, reason);
    // TODO: take ws out of the room, then tell the others who left.
  },
});
