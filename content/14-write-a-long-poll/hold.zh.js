// 客户端：第 3 课的长轮询循环，现在读的是你的处理函数（mine/poll）。
// 三条聊天消息每秒发出一条，每条发出时都有一个轮询正挂在你的处理函数那里。
const say = (text) => fetch('mine/send', { method: 'POST', body: text });
setTimeout(() => say('第一条'), 1000);
setTimeout(() => say('第二条'), 2000);
setTimeout(() => say('第三条'), 3000);

let since = 0;
for (let n = 1; n <= 3; n++) {
  const res = await fetch(`mine/poll?since=${since}`);
  const { messages, last } = await res.json();
  console.log(`第 ${n} 次轮询（since=${since}）：${messages.map((m) => `#${m.id} ${m.data}`).join('，')}`);
  since = last; // 游标：下一次轮询从我们手里最后一条消息之后开始
}
