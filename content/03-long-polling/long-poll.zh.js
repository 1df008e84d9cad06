// 长轮询：服务器把每个请求挂住，直到有了 `since` 之后的新消息才回答。
let since = 0;
for (let answers = 0; answers < 5; ) {
  const res = await fetch(`poll?since=${since}&timeout=10000`);
  if (res.status === 204) {
    console.log('204 No Content：10 秒内没有新消息，用同一个 since 再问一次');
    continue;
  }
  const { messages, last } = await res.json();
  answers += 1;
  console.log(`第 ${answers} 个回答：${messages.length} 条消息，id ${messages[0].id}…${last}`);
  since = last; // 游标：下一个请求从我们手里最后一条消息之后开始
}
console.log('完成：五个回答，每个都是单独的一次请求');
