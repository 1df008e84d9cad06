// 练习：倒计时。页面请求的是 mine/countdown?from=5。依次应答 "5"、"4"、"3"、"2"、"1"，
// 最后是 "liftoff"，每秒一行 JSON，每一行单独冲刷成一个块；发完 "liftoff" 后结束响应。
onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Access-Control-Allow-Origin', '*');
  const from = Number(req.query.from ?? 5);
  const line = (text) => `${JSON.stringify({ success: 'ok', text })}\n`;
  res.write(line(String(from)));
  // TODO：每隔一秒写出下一个数，一直到 1，然后是 "liftoff"，每一行都单独冲刷；
  // 发完 "liftoff" 后结束响应。（现在只有第一行，而且要等到最后才和结尾一起发出。）
  res.end();
});
