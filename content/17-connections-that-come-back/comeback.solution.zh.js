// 一个什么都得挺过去的行情页：plan= 给这个页面的几条连接排好了剧本。
// 第一条传完 2 条消息就被切断，接着服务器正在重启，连续 3 次尝试都被马上以 1013 关闭，
// 然后传完 2 条消息就不出声、也不关闭，最后又是传完 2 条就被切断。
// 每条行情按顺序打印一次、一条不漏，收满 9 条为止。
const PLAN = 'plan=drop2,down3,mute2,drop2';
let last = null; // 收到的最后一条消息的 id：从这里续传
let ticks = 0;
let attempt = 0; // 连续失败的次数

function comeBack(why) {
  // 指数退避（300、600、1200 毫秒……最多 10 秒），其中一半加上抖动。
  const ceiling = Math.min(10_000, 300 * 2 ** attempt);
  const wait = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  attempt += 1;
  console.log(`${why}；${wait} 毫秒后第 ${attempt} 次重连`);
  setTimeout(connect, wait);
}

function connect() {
  const ws = new WebSocket(last === null ? `ws?${PLAN}` : `ws?${PLAN}&since=${last}`);
  let heard = performance.now();
  const beat = setInterval(() => {
    if (performance.now() - heard > 2500) {
      // 半开的连接：不会有 close 事件。放弃这条连接，重新连。
      clearInterval(beat);
      ws.onclose = null;
      ws.close(4000, 'no answer to ping');
      comeBack('2.5 秒没有回应');
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send('ping');
  }, 1000);
  ws.onmessage = (e) => {
    heard = performance.now();
    attempt = 0; // 收到消息，说明服务器回来了
    if (e.data === 'pong') return;
    const m = JSON.parse(e.data);
    last = m.id;
    if (m.type !== 'tick') return;
    console.log(`行情 #${m.id}：${m.data.price}`);
    ticks += 1;
    if (ticks === 9) {
      clearInterval(beat);
      ws.close(1000);
    }
  };
  ws.onclose = (e) => {
    clearInterval(beat);
    if (ticks < 9) comeBack(`连接关闭，代码 ${e.code}`);
  };
}
connect();
