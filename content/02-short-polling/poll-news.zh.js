// 每秒问一次数据源有什么新消息。回答马上就来，常常是空的。
let polls = 0;
const timer = setInterval(async () => {
  polls += 1;
  if (polls === 6) clearInterval(timer);
  // TODO：告诉服务器上次读到了哪里，让它只发新的消息。
  const res = await fetch('news');
  const { messages, last } = await res.json();
  const ids = messages.map((m) => m.id);
  console.log(
    `第 ${polls} 次轮询：${ids.length} 条消息（id ${ids[0] ?? '–'}…${ids.at(-1) ?? '–'}），last = ${last}`,
  );
}, 1000);
