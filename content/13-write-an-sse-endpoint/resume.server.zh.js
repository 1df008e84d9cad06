// 这个流发送的日志：id 为 n 的事件就是 headlines[n - 1]。id 指向服务器保存的日志里的一个位置，
// 所以服务器可以把其中任意一段重新发一遍。
const headlines = [
  '暴风雨过后渡轮恢复运营',
  '图书馆周日也开放了',
  '学校合唱团捧回地区奖杯',
  '沿河路新增自行车道',
  '博物馆出借馆藏最古老的地图',
  '夜市重回广场',
  '大桥维修提前一周完工',
  '足球俱乐部签下本地门将',
  '今晚山区预计降雪',
];

onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Cache-Control', 'no-store');
  // TODO 1：这个页面带凭据发请求（withCredentials），而对带凭据的请求，浏览器不接受 `*`。
  // 请求的 Origin（req.headers.origin）是你允许的源时，就原样写回去；再加上
  // Access-Control-Allow-Credentials: true，以及给缓存看的 Vary: Origin。
  res.setHeader('Access-Control-Allow-Origin', '*');

  // ?drop=N：发完 N 个事件就结束响应，用来模拟连接中断（手机进了隧道、代理的空闲超时）。
  // 实验接口自带的故障参数对 mine/ 不起作用：查询参数归你，所以由你的处理函数自己来扮演故障。
  // 不管响应怎么结束，EventSource 都会重连。
  const drop = Number(req.query.drop) || headlines.length;

  // 重连的 EventSource 会带上它收到的最后一个事件的 id（第一次连接时为 null）。
  console.log('一条流打开了，Last-Event-ID：', req.lastEventId);
  // TODO 2：从浏览器收到的最后一个 id 之后接着发，让每个事件恰好到达一次；
  // 日志已经发完时，回答 204，让 EventSource 停下来。
  let next = 1; // 总是从头开始，不管浏览器要的是什么

  // retry：EventSource 重连前等待多久（浏览器自己的默认值约为 3 秒）。
  res.write('retry: 1000\n\n');
  res.flush();

  let sent = 0;
  const timer = setInterval(() => {
    const data = JSON.stringify({ text: headlines[next - 1] });
    // id：浏览器会记住它；event：addEventListener 监听的就是这个名字。
    res.write(`id: ${next}\nevent: headline\ndata: ${data}\n\n`);
    res.flush();
    next++;
    sent++;
    if (sent === drop || next > headlines.length) {
      clearInterval(timer);
      res.end();
    }
  }, 250);
});
