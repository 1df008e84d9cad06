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
    console.log('socket', ws.id, 'left with', code, reason);
    room.delete(ws); // first: a closed socket must not be sent to again
    broadcast({ type: 'leave', id: ws.id, code, reason, members: room.size });
  },
});
