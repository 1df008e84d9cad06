// drop=3：你的处理函数每发 3 个事件就结束这条流；EventSource 会在 `retry` 毫秒后自己重连，
// 并把收到的最后一个 id 放进 Last-Event-ID 发回去。
const es = new EventSource('mine/headlines?drop=3');
const ids = [];

es.onopen = () => console.log('已打开');
es.onerror = () => console.log('出错：readyState', es.readyState, '（0 即 CONNECTING：它会重连）');
// 这些事件的名字是 `headline`：onmessage 一个也收不到。
es.addEventListener('headline', (e) => {
  ids.push(e.lastEventId);
  console.log(`#${e.lastEventId}`, JSON.parse(e.data).text);
  if (ids.length === 9) {
    es.close();
    console.log('收到的 id：', ids.join(' '));
  }
});
