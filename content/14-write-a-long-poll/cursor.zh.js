// 消息不会等到有轮询挂着才来：这里一条在第一次轮询之前发出，一条在两次轮询之间，
// 一条在某次轮询正等着的时候。
const say = (text) => fetch('mine/send', { method: 'POST', body: text });

let since = 0;
await say('第一条'); // 这时还没有人在轮询
for (let n = 1; n <= 3; n++) {
  if (n === 3) setTimeout(() => say('第三条'), 1000); // 第 3 次轮询正等着的时候
  const res = await fetch(`mine/poll?since=${since}`);
  const { messages, last } = await res.json();
  console.log(`第 ${n} 次轮询（since=${since}）：${messages.map((m) => `#${m.id} ${m.data}`).join('，')}`);
  since = last;
  if (n === 1) await say('第二条'); // 两次轮询之间：此刻没有人在等
}
