// 每秒问一次数据源有什么新消息。回答马上就来，常常是空的。
let polls = 0;
let since = 0; // 游标：我们手里最后一条消息的 id
const timer = setInterval(async () => {
  polls += 1;
  if (polls === 6) clearInterval(timer);
  const res = await fetch(`news?since=${since}`);
  const { messages, last } = await res.json();
  const ids = messages.map((m) => m.id);
  console.log(
    `第 ${polls} 次轮询：${ids.length} 条消息（id ${ids[0] ?? '–'}…${ids.at(-1) ?? '–'}），last = ${last}`,
  );
  since = last; // 下一次只要这之后的消息
}, 1000);
