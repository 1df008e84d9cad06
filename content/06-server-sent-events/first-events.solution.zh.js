// EventSource：一个请求，然后服务器写一个事件，这边就收到一个。
const es = new EventSource('sse');
es.onopen = () => console.log('连接已打开，readyState', es.readyState);
let ticks = 0;
// 有名字的事件（"event: tick"）交给监听这个名字的函数，不会交给 onmessage。
es.addEventListener('tick', (event) => {
  ticks += 1;
  console.log(`tick ${event.lastEventId}：`, JSON.parse(event.data).price);
  if (ticks === 3) es.close();
});
// 保险：让这次运行自己结束。
setTimeout(() => {
  if (es.readyState === EventSource.CLOSED) return;
  console.log(`过了 5 秒，收到 ${ticks} 条消息，关闭连接`);
  es.close();
}, 5000);
