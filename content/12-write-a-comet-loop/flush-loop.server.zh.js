// 笔记里那个 PHP comet 循环，改写成 Wire Lab 沙箱里的样子：九行 JSON，每秒一行，
// 每一行一写出来就立刻推到线路上。
onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8'); // header('Content-Type: …');
  // 不加这一行，Chromium 会先扣住 text/plain 消息体的前 1024 字节，用来猜它到底是不是文本
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Access-Control-Allow-Origin', '*'); // 运行器页面的源是不透明的
  let i = 0;
  const send = () => {
    i += 1;
    res.write(`${JSON.stringify({ success: 'ok', text: `message ${i}` })}\n`); // echo json_encode(…), "\n";
    res.flush(); // ob_flush(); flush();  → 马上作为一个块发到线路上
    console.log(`第 ${i} 条已冲刷`);
    if (i === 9)
      res.end(); // 脚本结束：最后一个块 0\r\n\r\n
    else setTimeout(send, 1000); // sleep(1);
  };
  send();
});
