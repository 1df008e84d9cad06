// 还是那个循环，只是中间有一段安静：第 3 次轮询等着的时候什么也不发。只有你的处理函数的
// 超时能让它结束。循环对待空应答和别的应答一样：since = last。
const say = (text) => fetch('mine/send', { method: 'POST', body: text });

let since = 0;
await say('第一条');
for (let n = 1; n <= 4; n++) {
  if (n === 3) console.log('第 3 次轮询：这时什么也不会发；你的处理函数必须按时应答它');
  if (n === 4) setTimeout(() => say('第三条'), 1000); // 第 4 次轮询正等着的时候
  const res = await fetch(`mine/poll?since=${since}`);
  const { messages, last } = await res.json();
  const got = messages.map((m) => `#${m.id} ${m.data}`).join('，') || '没有新消息（超时）';
  console.log(`第 ${n} 次轮询（since=${since}）：${got} → last=${last}`);
  since = last;
  if (n === 1) await say('第二条');
}
