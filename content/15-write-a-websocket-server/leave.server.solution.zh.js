// 还是那个房间，这回有人要走了。
const room = new Set(); // 放在顶层：这个处理程序服务的所有连接共用这一个房间

/** 把 message 发给房间里的每个成员：每条连接上各一个文本帧。 */
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
    console.log(`${ws.id} 号连接离开了，关闭码`, code, '原因', reason);
    room.delete(ws); // 先移出：已经关闭的连接不能再往上发送
    broadcast({ type: 'leave', id: ws.id, code, reason, members: room.size });
  },
});
