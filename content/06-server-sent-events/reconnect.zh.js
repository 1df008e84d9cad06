// count=3：实验服务器发完 3 个事件就结束响应；retry=1000：1 秒后再连回来。
const es = new EventSource('sse?count=3&retry=1000');
let events = 0;
es.onopen = () => console.log('连接已打开');
es.onerror = () => console.log('流结束了，readyState', es.readyState, '（0 表示正在重连）');
es.addEventListener('tick', (event) => {
  events += 1;
  console.log(`tick，id ${event.lastEventId}`);
  if (events === 6) es.close(); // 收够两个连接的量，然后彻底停下
});
