// 断了还能回来，但不是所有人一起回来。
// plan= 给这个页面的几条连接排好剧本：第一条传完 2 条消息就被切断（drop2），
// 接下来服务器在重启，连续三次尝试（down3：每次都先接受握手，随即以 1013 关闭）。
const PLAN = 'plan=drop2,down3';
let last = null; // 收到的最后一条消息的 id：从这里续传
let ticks = 0;
let attempt = 0; // 连续失败的次数

function connect() {
  const ws = new WebSocket(last === null ? `ws?${PLAN}` : `ws?${PLAN}&since=${last}`);
  ws.onmessage = (e) => {
    attempt = 0; // 收到消息（而不只是连上）才说明服务器真的回来了
    const m = JSON.parse(e.data);
    last = m.id;
    if (m.type !== 'tick') return;
    console.log(`行情 #${m.id}：${m.data.price}`);
    ticks += 1;
    if (ticks === 4) ws.close(1000);
  };
  ws.onclose = (e) => {
    if (ticks === 4) return;
    // 指数退避：每失败一次，上限翻一倍（300、600、1200 毫秒……），最多 10 秒。
    // 抖动：一半固定、一半随机，页面们就错开了。
    const ceiling = Math.min(10_000, 300 * 2 ** attempt);
    const wait = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    attempt += 1;
    console.log(`连接关闭，代码 ${e.code}；${wait} 毫秒后第 ${attempt} 次重连`);
    setTimeout(connect, wait);
  };
}
connect();

// 为什么要随机的那一半：一个班三百个页面在同一刻失去服务器。
const busiest = (waits) => {
  const slots = new Map(); // 每 50 毫秒里的握手次数
  for (const w of waits) slots.set(Math.floor(w / 50), (slots.get(Math.floor(w / 50)) ?? 0) + 1);
  return Math.max(...slots.values());
};
const fixed = Array.from({ length: 300 }, () => 600);
const jittered = Array.from({ length: 300 }, () => 300 + Math.random() * 300);
console.log(
  `三百个页面第 2 次重连，最挤的 50 毫秒里：不加抖动 ${busiest(fixed)} 次握手，加了抖动 ${busiest(jittered)} 次`,
);
