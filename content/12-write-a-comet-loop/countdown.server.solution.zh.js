// 练习：倒计时。页面请求的是 mine/countdown?from=5。依次应答 "5"、"4"、"3"、"2"、"1"，
// 最后是 "liftoff"，每秒一行 JSON，每一行单独冲刷成一个块；发完 "liftoff" 后结束响应。
onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Access-Control-Allow-Origin', '*');
  const from = Number(req.query.from ?? 5);
  const line = (text) => `${JSON.stringify({ success: 'ok', text })}\n`;
  let n = from;
  const next = () => {
    res.write(line(n > 0 ? String(n) : 'liftoff'));
    res.flush(); // 一行，一个块，马上发出
    if (n === 0) {
      res.end(); // 最后一个块：倒计时结束
      return;
    }
    n -= 1;
    setTimeout(next, 1000); // 一秒后发下一行（每次发完才设新的定时器，所以绝不会提前）
  };
  next();
});
