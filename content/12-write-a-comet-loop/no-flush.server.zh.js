// 同一个循环，只是去掉了冲刷：每次写入都停在输出缓冲里，就像 PHP 没有
// ob_flush(); flush(); 时那样。
onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Access-Control-Allow-Origin', '*');
  let i = 0;
  const send = () => {
    i += 1;
    res.write(`${JSON.stringify({ success: 'ok', text: `message ${i}` })}\n`);
    // 没有 res.flush()：这一行留在服务器的缓冲里
    console.log(`第 ${i} 条已写入，没有冲刷`);
    if (i === 9)
      res.end(); // 直到这时，整个消息体才带着 Content-Length 一次发出
    else setTimeout(send, 1000);
  };
  send();
});
