// 同样的字节，这次用 fetch 读：什么也不执行，只看文本。
const res = await fetch('stream?format=script&count=5&interval=500');
console.log(res.headers.get('content-type'));
const reader = res.body.getReader();
const decoder = new TextDecoder();
let html = ''; // 收到了但还没处理的文本
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  html += decoder.decode(value, { stream: true });
  // 一次完整的调用以 ")</script>" 结尾；JSON 里不会出现 "</"（实验服务器把 < 写成 \u003c）。
  let used = 0;
  for (const match of html.matchAll(/<script>parent\.push\((.*?)\)<\/script>/g)) {
    console.log(JSON.parse(match[1]).text);
    used = match.index + match[0].length;
  }
  html = html.slice(used); // 被切成两半的调用留到下一次读取
}
