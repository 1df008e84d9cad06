// 一个给通勤族看的行情页：服务器说，页面只听；火车却一次次钻进隧道。
// drop=3 扮演隧道：每传 3 条消息，连接就被切断一次。
// 每条行情按顺序打印一次、一条不漏，收满 6 条为止。
// TODO：这个 WebSocket 进了第一条隧道就再也收不到了。请为这个页面选一种合适的传输方式
// （第 10 课“那么，选哪一个？”），URL 里保留 drop=3，控制台输出的格式保持不变。
const ws = new WebSocket('ws?drop=3');
let printed = 0;
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.type !== 'tick') return;
  console.log(`行情 #${m.id}：${m.data.price}`);
  printed += 1;
  if (printed === 6) ws.close(1000);
};
ws.onclose = (e) => console.log(`连接关闭，代码 ${e.code}；目前收到 ${printed} 条行情`);
