// 一个给通勤族看的行情页：服务器说，页面只听；火车却一次次钻进隧道。
// drop=3 扮演隧道：每传 3 条消息，连接就被切断一次。
// 每条行情按顺序打印一次、一条不漏，收满 6 条为止。
// 只需服务器 → 页面，断了还要接着收：EventSource 自己就会做。它会（在 retry 毫秒后）重连，
// 并带上 Last-Event-ID，于是服务器从它收到的最后一条行情之后接着发。
const es = new EventSource('sse?drop=3&retry=500');
let printed = 0;
es.addEventListener('tick', (e) => {
  console.log(`行情 #${e.lastEventId}：${JSON.parse(e.data).price}`);
  printed += 1;
  if (printed === 6) es.close();
});
es.onerror = () => console.log(`收到 ${printed} 条后连接被切断；EventSource 会自己重连`);
