// lang=zh 会附上一句用文字说的时间，外加一个表情符号：这段文本的字符数和字节数并不相等。
const res = await fetch('time?lang=zh');
const body = await res.text();
console.log(body);
console.log('Content-Length:', res.headers.get('content-length'));
console.log('字符数（body.length）：', body.length);
// TODO：由消息体本身数出它的字节数（不要照抄首部里的数字），打印在这里。
console.log('响应体的字节数：', '?');
