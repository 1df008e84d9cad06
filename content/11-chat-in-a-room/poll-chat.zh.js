// 用长轮询读一个房间：同一时间只挂着一个请求，每个都从见过的最后一个 id 之后开始。
const room = 'lobby';
const me = learnerName; // 这个标签页在聊天室里的名字：每次运行都一样
const sent = await fetch(`send?room=${room}`, { method: 'POST', body: `${me}：用长轮询打个招呼` });
const { id } = await sent.json(); // 房间给我们这条消息的 id
let since = id - 1; // 从它的前一个开始，这样第一个回答里就会有它
const until = Date.now() + 5000;

while (Date.now() < until) {
  const res = await fetch(`poll?room=${room}&since=${since}&timeout=3000`);
  if (res.status === 204) continue; // 3 秒内没有新消息：用同一个 `since` 再问
  const { messages, last } = await res.json();
  since = last;
  for (const m of messages) {
    if (m.type === 'chat') console.log(`#${m.id}`, m.data);
  }
}
