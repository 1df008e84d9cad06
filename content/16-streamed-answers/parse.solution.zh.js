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

let answer = '';
let type = ''; // 正在收集的事件：它的 event: 字段……
let data = []; // ……和它的各行 data:

/** 空行结束一个事件：把它的词元加进回答。遇到结束标记时返回 false。 */
function dispatch() {
  const text = data.join('\n'); // 多行 data: 是同一段文字，用 "\n" 连起来
  const name = type || 'message'; // 没有 event: 字段，类型就是 "message"
  const gathered = data.length > 0; // 注释后面的空行不结束任何事件
  type = '';
  data = [];
  if (!gathered) return true;
  if (text === '[DONE]') return false;
  answer += name === 'text' ? text : JSON.parse(text).token;
  p.textContent = answer;
  return true;
}

const reader = res.body.getReader();
const decoder = new TextDecoder(); // 整条流只用一个解码器：字节 → 文字
let pending = ''; // 一行的开头，它的结尾还没到
read: for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  // stream: true 会把切在两次读取之间的 UTF-8 字符留到下一次调用。
  pending += decoder.decode(value, { stream: true });
  const lines = pending.split('\n');
  pending = lines.pop(); // （还）不是完整的一行
  for (const line of lines) {
    if (line === '') {
      if (!dispatch()) break read; // data: [DONE]：回答完整了
    } else if (line.startsWith(':')) {
      // 注释（": keep-alive"）：没什么可显示的
    } else {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let text = colon < 0 ? '' : line.slice(colon + 1);
      if (text.startsWith(' ')) text = text.slice(1); // 冒号后面的一个空格不算数据
      if (field === 'data') data.push(text);
      else if (field === 'event') type = text;
    }
  }
}
console.log(`完整的回答，共 ${answer.length} 个字符：\n${answer}`);
