// A room: every open socket is a member, and what one member says, every member hears.
const room = new Set(); // top level: one room shared by every socket this handler serves

/** Sends `message` to every member of the room: one text frame on each socket. */
function broadcast(message) {
  const text = JSON.stringify(message);
  for (const member of room) member.send(text);
}

onWebSocket({
  open(ws) {
    room.add(ws);
    // Everyone hears who came, the newcomer too: that is how it learns its own id.
    broadcast({ type: 'join', id: ws.id, members: room.size });
  },
  message(ws, data) {
    // To the sender too: its own words come back in the room's order, so every screen,
    // the sender's included, shows the same conversation in the same order.
    broadcast({ type: 'chat', from: ws.id, text: data });
  },
  // Nobody leaves in this step. What close() has to do is the next step's business.
});
