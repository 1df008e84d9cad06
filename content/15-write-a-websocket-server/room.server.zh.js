// 一个房间：每条打开的连接都是房间的成员，一个成员说的话，所有成员都能听到。
const room = new Set(); // 放在顶层：这个处理程序服务的所有连接共用这一个房间

/** 把 message 发给房间里的每个成员：每条连接上各一个文本帧。 */
function broadcast(message) {
  const text = JSON.stringify(message);
  for (const member of room) member.send(text);
}

onWebSocket({
  open(ws) {
    room.add(ws);
    // 谁来了，大家都会听到，新来的自己也会：它就是这样得知自己的编号的。
    broadcast({ type: 'join', id: ws.id, members: room.size });
  },
  message(ws, data) {
    // 发言的人自己也会收到：他的话按房间里的顺序回到他这里，
    // 于是每个人的屏幕上（包括他自己的）都是同一段对话、同一个顺序。
    broadcast({ type: 'chat', from: ws.id, text: data });
  },
  // 这一步里没有人离开。close() 该做什么，留到下一步再说。
});
