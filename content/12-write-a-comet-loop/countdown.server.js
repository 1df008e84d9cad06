// Exercise: a countdown. The page asks for mine/countdown?from=5. Answer "5", "4", "3", "2", "1"
// and then "liftoff", one JSON line a second, each flushed as a chunk of its own, and end the
// response after "liftoff".
onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Access-Control-Allow-Origin', '*');
  const from = Number(req.query.from ?? 5);
  const line = (text) => `${JSON.stringify({ success: 'ok', text })}\n`;
  res.write(line(String(from)));
  // TODO: every second, write the next number down to 1, then "liftoff", flushing each line
  // on its own; end the response after "liftoff". (Now the first line leaves alone, at the end.)
  res.end();
});
