// 你自己的 SSE 接口：实验服务器用这个函数应答 /lab/<session>/mine/… 下的请求。
onRequest((req, res) => {
  console.log('有客户端连上了：', req.path);
  // 有了它，EventSource 才认这是事件流（换成别的类型，它就直接放弃）。
  res.setHeader('Content-Type', 'text/event-stream');
  // 实时的流不许中间任何一环留副本。
  res.setHeader('Cache-Control', 'no-store');
  // 页面跑在沙箱框架里，源是不透明的：请求带的是 `Origin: null`。
  // 没有这个首部，字节照样到达，浏览器却不会把它们交给页面。
  res.setHeader('Access-Control-Allow-Origin', '*');

  let sent = 0;
  const timer = setInterval(() => {
    const time = new Date().toISOString().slice(11, 19);
    res.write(`data: 服务器时间 ${time}\n\n`); // 一个事件：一行 data，再加一个空行
    res.flush(); // 立刻写到线路上，成为一个块（PHP 里是 ob_flush(); flush();）
    if (++sent === 5) {
      clearInterval(timer);
      res.end(); // 最后一个块：正常结束
    }
  }, 400);
});
