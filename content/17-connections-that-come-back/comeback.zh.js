// 一个什么都得挺过去的行情页：plan= 给这个页面的几条连接排好了剧本。
// 第一条传完 2 条消息就被切断，接着服务器正在重启，连续 3 次尝试都被马上以 1013 关闭，
// 然后传完 2 条消息就不出声、也不关闭，最后又是传完 2 条就被切断。
// 每条行情按顺序打印一次、一条不漏，收满 9 条为止。
// TODO 1：这个页面每次都马上重连。每次尝试之前先等一等：等待的上限每失败一次就翻倍
//         （收到消息后回到最初的值），再加上抖动。
// TODO 2：它从来察觉不到不出声的服务器。加上心跳：每秒发一次 ping，
//         一条连接几秒钟什么都没说（连 pong 都没有），就关掉它。
// URL 里保留 plan= 和 since=，控制台输出的格式保持不变。
const PLAN = 'plan=drop2,down3,mute2,drop2';
let last = null; // 收到的最后一条消息的 id：从这里续传
let ticks = 0;

function connect() {
  const ws = new WebSocket(last === null ? `ws?${PLAN}` : `ws?${PLAN}&since=${last}`);
  ws.onmessage = (e) => {
    if (e.data === 'pong') return;
    const m = JSON.parse(e.data);
    last = m.id;
    if (m.type !== 'tick') return;
    console.log(`行情 #${m.id}：${m.data.price}`);
    ticks += 1;
    if (ticks === 9) ws.close(1000);
  };
  ws.onclose = (e) => {
    if (ticks === 9) return;
    console.log(`连接关闭，代码 ${e.code}；马上重连`);
    connect();
  };
}
connect();
