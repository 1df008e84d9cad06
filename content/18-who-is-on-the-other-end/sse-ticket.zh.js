// 运行页的源是不透明的（一个沙箱里的 iframe）：它没有属于自己的 Cookie。
try {
  console.log('document.cookie：', JSON.stringify(document.cookie));
} catch (err) {
  console.log('读取 document.cookie 抛出', err.name, '——这个页面既读不到也设不了 Cookie');
}

// 1. 先用一个普通请求领一张票。真实的网站会在这里检查你的 Cookie 或 Authorization 头，
//    因为这里能检查；票把检查的结果带到事件流那边去。
const res = await fetch('ticket', { method: 'POST' });
const { ticket, expiresIn } = await res.json();
console.log(`票 ${ticket.slice(0, 6)}…：只能开一条连接，${expiresIn} 秒内有效`);

// 2. EventSource 不让你自己加请求头：票只能放进 URL。
//    count=2：实验服务器发完 2 个事件就结束这次响应，EventSource 在 retry=500 毫秒后
//    自动重连，用的还是同一个 URL——也就是同一张票。
const es = new EventSource(`sse?ticket=${ticket}&count=2&retry=500`);
es.onopen = () => console.log('连接已打开');
es.addEventListener('tick', (e) => console.log('tick', e.lastEventId));
es.onerror = () => {
  const state = es.readyState === EventSource.CLOSED ? '2（CLOSED：不再重连）' : '0（正在重连）';
  console.log('error 事件，readyState', state);
};
