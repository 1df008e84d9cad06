// Exercise: a countdown. The page asks for mine/countdown?from=5. Answer "5", "4", "3", "2", "1"
// and then "liftoff", one JSON line a second, each flushed as a chunk of its own, and end the
// response after "liftoff".
onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Access-Control-Allow-Origin', '*');
  const from = Number(req.query.from ?? 5);
  const line = (text) => `${JSON.stringify({ success: 'ok', text })}\n`;
  let n = from;
  const next = () => {
    res.write(line(n > 0 ? String(n) : 'liftoff'));
    res.flush(); // one line, one chunk, now
    if (n === 0) {
      res.end(); // the last chunk: the countdown is over
      return;
    }
    n -= 1;
    setTimeout(next, 1000); // the next one in a second (a new timer after each send, so never sooner)
  };
  next();
});
