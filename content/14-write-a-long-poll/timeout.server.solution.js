// Step 3, the exercise: a poll must not wait forever.
//   POST mine/send         the body goes into the session's feed as a chat message
//   GET  mine/poll?since=N the chat messages after id N, and the cursor to send next (last);
//                          after TIMEOUT_MS with nothing new: {"messages":[],"last":N}

// Short for the lesson, so a Run shows it in seconds. A real server holds 20–25 s: less than
// the idle timeouts of the proxies, load balancers and browsers on the way (often 30–60 s).
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
    res.end('This handler answers GET mine/poll?since=N and POST mine/send.');
    return;
  }

  res.setHeader('Content-Type', 'application/json');
  const since = Number(req.query.since) || 0; // the client has every message up to this id
  let answered = false;
  const answer = (messages, last) => {
    if (answered) return; // two doorbells can ring at once: one answer only
    answered = true;
    res.end(JSON.stringify({ messages, last }));
    console.log(`poll since=${since}: ${messages.length} message(s), last=${last}`);
  };
  // Read the feed after the cursor; answer if any of it is chat, else keep holding.
  const answerIfNew = async () => {
    const { messages } = await feed.read(since);
    const chat = messages.filter((m) => m.type === 'chat');
    if (chat.length > 0) answer(chat, chat[chat.length - 1].id);
  };

  // The doorbell first, then a look: a message that lands between the two still rings it.
  // The bell says "something came", and we read from the cursor again: never answer with the
  // bell's message alone, or the ones before it that the client has not seen would be skipped.
  const stop = feed.subscribe((message) => {
    if (message.type === 'chat') answerIfNew();
  });
  // Nothing new for TIMEOUT_MS: an empty answer, and the same cursor (nothing moved).
  const timer = setTimeout(() => answer([], since), TIMEOUT_MS);
  // Answered, timed out, or the client left: stop listening, and stop the timer.
  res.onClose(() => {
    stop();
    clearTimeout(timer);
  });
  answerIfNew(); // something may have come while the client was away: then we answer at once
});
