// 把回答一个词元一个词元地写进页面。split=random 会在任意位置切开这个流，就像网络和代理可能做的
// 那样：一次读取可能停在一个事件的中间，甚至停在一个字符的中间（每个汉字占 3 个字节）。
const res = await fetch('complete?split=random', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ prompt: '服务器怎样把数据推给浏览器？', max_tokens: 20 }),
});
console.log(res.status, res.headers.get('content-type'));

// 回答在这个段落里慢慢变长（在“预览”标签页里看得到）。
const p = document.createElement('p');
p.style.whiteSpace = 'pre-wrap'; // 保留回答里的换行
document.body.append(p);

const reader = res.body.getReader();
let answer = '';
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // TODO：这里以为每次读到的都是完整的事件，而且每个事件都是一行 "data: {json}"。
  // 请把一次读取里没读完的部分留给下一次（整条流只用一个 TextDecoder，并传入 { stream: true }），
  // 一行一行地读：跳过注释，把一个事件的各行 data: 收集起来，直到空行，再用 "\n" 连起来，
  // 还要留意 event: text。
  for (const event of new TextDecoder().decode(value).split('\n\n')) {
    if (!event.startsWith('data: ')) continue; // 注释，或者 event: 行
    const data = event.slice('data: '.length);
    if (data === '[DONE]') break;
    answer += JSON.parse(data).token;
    p.textContent = answer;
  }
}
console.log(`完整的回答，共 ${answer.length} 个字符：\n${answer}`);
