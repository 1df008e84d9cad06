// 所有写了同一个房间代码的人共用一个数据源：用你们班的代码，或者约好一个。
const room = 'lobby';
const me = learnerName; // 这个标签页在聊天室里的名字：每次运行都一样
const es = new EventSource(`sse?room=${room}`);

// 房间的数据源里也有 `tick` 事件：聊天只监听 `chat`。
es.addEventListener('chat', (e) => {
  console.log(`#${e.lastEventId}`, e.data);
  const line = document.createElement('p');
  line.textContent = e.data; // 只当文本，绝不当 HTML：房间里谁都可以写任何东西
  document.body.append(line);
});
es.onopen = async () => {
  // 发送就是一个普通的 POST；text/plain 的正文不需要 CORS 预检。
  await fetch(`send?room=${room}`, { method: 'POST', body: `${me}：用 SSE 打个招呼` });
};
setTimeout(() => es.close(), 5000); // 听 5 秒，然后离开房间
