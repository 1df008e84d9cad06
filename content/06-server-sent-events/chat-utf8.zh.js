// 两行中文作为一条聊天消息发出去，到达时是一个 `chat` 事件。
const es = new EventSource('sse');
es.addEventListener('chat', (event) => {
  console.log(`chat ${event.lastEventId}：`, JSON.stringify(event.data)); // \n 又回来了
  es.close();
});
es.onopen = async () => {
  // text/plain 是“简单”内容类型：这个 POST 之前没有 CORS 预检。
  const res = await fetch('send', { method: 'POST', body: '你好，SSE！\n第二行 ✓' });
  console.log('已发送，id', (await res.json()).id);
};
