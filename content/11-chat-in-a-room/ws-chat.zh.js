// 一个 WebSocket 双向通信：你发的文本会进入房间的数据源，再回到每个人那里。
const room = 'lobby';
const me = learnerName; // 这个标签页在聊天室里的名字：每次运行都一样
const ws = new WebSocket(`ws?room=${room}`);

ws.onopen = () => ws.send(`${me}：用 WebSocket 打个招呼`);
ws.onmessage = (e) => {
  const m = JSON.parse(e.data); // 每一帧就是一条数据源的消息：{id, type, time, data}
  if (m.type !== 'chat') return; // 跳过 tick
  const text = typeof m.data === 'string' ? m.data : JSON.stringify(m.data);
  console.log(`#${m.id}`, text);
  const line = document.createElement('p');
  line.textContent = text;
  document.body.append(line);
};
setTimeout(() => ws.close(1000, '离开'), 5000);
