// 一个只在房间的数据源把消息送回来之后才显示它的聊天客户端。
const room = 'lobby';
const me = learnerName; // 这个标签页在聊天室里的名字：每次运行都一样
const text = `${me}：有人在吗？`;

function show(line) {
  const p = document.createElement('p');
  p.textContent = line;
  document.body.append(p);
  console.log('已显示：', line);
}

const es = new EventSource(`sse?room=${room}`);
es.addEventListener('chat', (e) => {
  show(e.data); // 我们的和别人的消息，按房间里的顺序
  if (e.data === text) setTimeout(() => es.close(), 1000);
});
// 先监听，再发送：流里只有连接之后的新消息。
es.onopen = () => fetch(`send?room=${room}`, { method: 'POST', body: text });
