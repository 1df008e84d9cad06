// 从“现在”开始：news 不用等待，直接告诉我们最新的 id。
let { last: since } = await (await fetch('news')).json();
// 超时设得很短：实验服务器每秒才产生一条消息，所以有些轮询在 300 毫秒内什么也等不到。
for (let i = 1; i <= 6; i++) {
  const res = await fetch(`poll?since=${since}&timeout=300`);
  if (res.status === 204) {
    console.log(`第 ${i} 次轮询：204，${since} 之后还没有新消息；用同一个 since 再问`);
    continue;
  }
  const { messages, last } = await res.json();
  console.log(`第 ${i} 次轮询：200，消息 ${messages.map((m) => m.id).join(', ')}`);
  since = last;
}
