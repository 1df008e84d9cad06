// Your own long-poll endpoint, step 1: hold the request until the next chat message comes.
//   POST mine/send   the body goes into the session's feed as a chat message
//   GET  mine/poll   held until a chat message comes, then answered with it

onRequest((req, res) => {
  // The page runs in a sandboxed iframe (Origin: null): without this header it may not read us.
  res.setHeader('Access-Control-Allow-Origin', '*');

  if (req.method === 'POST' && req.path === '/send') {
    feed.append(req.body); // every subscriber hears it, our held polls included
    res.status = 204; // done, nothing to say back
    res.end();
    return;
  }
  if (req.path !== '/poll') {
    res.status = 404;
    res.end('This handler answers GET mine/poll and POST mine/send.');
    return;
  }

  res.setHeader('Content-Type', 'application/json');
  // No answer now: the request stays open. The feed calls us for every new message…
  const stop = feed.subscribe((message) => {
    if (message.type !== 'chat') return; // the lab's stock ticks share the feed: not our chat
    stop(); // one answer per request: stop listening
    res.end(JSON.stringify({ messages: [message], last: message.id }));
    console.log(`poll answered with #${message.id}`);
  });
  // …and when the client leaves first (Stop, a closed tab), nobody is there to answer: stop too.
  res.onClose(() => stop());
});
