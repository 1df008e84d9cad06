// “停止生成”：用 AbortController 取消这个 fetch，连接也随之关闭。
const controller = new AbortController();
const button = document.createElement('button');
button.textContent = '停止生成';
button.onclick = () => controller.abort();
const p = document.createElement('p');
p.style.whiteSpace = 'pre-wrap';
document.body.append(button, p);

const res = await fetch('complete?pace=150', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ prompt: '给我讲一个关于字节的长故事。', max_tokens: 60 }),
  signal: controller.signal, // abort() 会结束请求、响应体和连接
});

let answer = '';
let tokens = 0;
let type = '';
let data = [];
const decoder = new TextDecoder();
let pending = '';
try {
  const reader = res.body.getReader();
  read: for (;;) {
    const { value, done } = await reader.read(); // abort() 之后，这里会以 AbortError 拒绝
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      if (line.startsWith(':')) continue; // 注释
      if (line !== '') {
        const [field, ...rest] = line.split(':');
        const text = rest.join(':').replace(/^ /, '');
        if (field === 'data') data.push(text);
        if (field === 'event') type = text;
        continue;
      }
      if (data.length === 0) continue;
      const text = data.join('\n');
      const name = type || 'message';
      type = '';
      data = [];
      if (text === '[DONE]') break read;
      answer += name === 'text' ? text : JSON.parse(text).token;
      p.textContent = answer;
      // 自动演示时没人点按钮：收到 15 个词元后，我们替你按一下。
      if (++tokens === 15) button.click();
    }
  }
  console.log('回答完整地到达了：', answer);
} catch (err) {
  if (err.name !== 'AbortError') throw err;
  console.log(`收到 ${tokens} 个词元后停下了：${answer}`);
}
