// 你自己的长轮询接口，第 1 步：把请求挂住，直到下一条聊天消息到来。
//   POST mine/send   请求体作为一条聊天消息写进本会话的消息流
//   GET  mine/poll   挂起，直到来了一条聊天消息，再用它应答

onRequest((req, res) => {
  // 页面运行在沙箱 iframe 里（Origin: null）：没有这个头，它读不到我们的应答。
  res.setHeader('Access-Control-Allow-Origin', '*');

  if (req.method === 'POST' && req.path === '/send') {
    feed.append(req.body); // 每个订阅者都会收到它，包括我们挂着的轮询
    res.status = 204; // 办完了，没什么要回的
    res.end();
    return;
  }
  if (req.path !== '/poll') {
    res.status = 404;
    res.end('这个处理函数只应答 GET mine/poll 和 POST mine/send。');
    return;
  }

  res.setHeader('Content-Type', 'application/json');
  // 现在不应答：请求保持打开。消息流每来一条新消息就调用我们一次……
  const stop = feed.subscribe((message) => {
    if (message.type !== 'chat') return; // 实验的股票报价也在这条消息流里：不是我们的聊天
    stop(); // 一个请求只应答一次：不再监听
    res.end(JSON.stringify({ messages: [message], last: message.id }));
    console.log(`轮询已用 #${message.id} 应答`);
  });
  // ……而如果客户端先走了（停止、关掉标签页），就没人可应答了：也不再监听。
  res.onClose(() => stop());
});
