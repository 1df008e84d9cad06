// lang=zh 会附上一句用文字说的时间，外加一个表情符号：这段文本的字符数和字节数并不相等。
const res = await fetch('time?lang=zh');
const body = await res.text();
console.log(body);
console.log('Content-Length:', res.headers.get('content-length'));
console.log('字符数（body.length）：', body.length);
// body.length 数的是 UTF-16 码元（“时”算 1 个，🕒 算 2 个）；线路上传的是 UTF-8 字节（“时”占 3 个，🕒 占 4 个）。
// TextEncoder 把文本重新编码成这些字节。
console.log('响应体的字节数：', new TextEncoder().encode(body).length);
