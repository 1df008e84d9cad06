// 第 3 步，练习：轮询不能永远等下去。
//   POST mine/send         请求体作为一条聊天消息写进本会话的消息流
//   GET  mine/poll?since=N id 为 N 之后的聊天消息，以及下次该发的游标（last）；
//                          等了 TIMEOUT_MS 还没有新消息：{"messages":[],"last":N}

// 课上设得很短，运行一次几秒钟就能看到。真实的服务器挂 20–25 秒：要比沿途代理、负载均衡器
// 和浏览器的空闲超时（常见 30–60 秒）短。
const TIMEOUT_MS = 3000;

onRequest((req, res) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (req.method === 'POST' && req.path === '/send') {
    feed.append(req.body);
    res.status = 204;
    res.end();
    return;
  }
  if (req.path !== '/poll') {
    res.status = 404;
    res.end('这个处理函数只应答 GET mine/poll?since=N 和 POST mine/send。');
    return;
  }

  res.setHeader('Content-Type', 'application/json');
  const since = Number(req.query.since) || 0; // 这个 id 及以前的消息，客户端都已经有了
  let answered = false;
  const answer = (messages, last) => {
    if (answered) return; // 两次“门铃”可能同时响：只应答一次
    answered = true;
    res.end(JSON.stringify({ messages, last }));
    console.log(`since=${since} 的轮询：${messages.length} 条消息，last=${last}`);
  };
  // 读出游标之后的消息；其中有聊天消息就应答，没有就继续挂着。
  const answerIfNew = async () => {
    const { messages } = await feed.read(since);
    const chat = messages.filter((m) => m.type === 'chat');
    if (chat.length > 0) answer(chat, chat[chat.length - 1].id);
  };

  // 先装门铃，再看一眼：两步之间落下的消息照样会按响门铃。
  // 门铃只说明“来东西了”，我们再从游标处重读一遍：千万别只拿门铃带来的那条消息应答，
  // 否则它前面那些客户端还没见过的消息就被跳过了。
  const stop = feed.subscribe((message) => {
    if (message.type === 'chat') answerIfNew();
  });
  // TIMEOUT_MS 内没有新消息：空应答，游标不变（什么都没往前走）。
  const timer = setTimeout(() => answer([], since), TIMEOUT_MS);
  // 已经应答、已经超时，或者客户端走了：不再监听，也停掉定时器。
  res.onClose(() => {
    stop();
    clearTimeout(timer);
  });
  answerIfNew(); // 客户端不在的时候可能已经来了消息：那就立即应答
});
