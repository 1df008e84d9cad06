// The log this stream serves: the event with id n is headlines[n - 1]. Ids name a place in a log
// the server keeps, so it can send any part of it again.
const headlines = [
  'Ferry service resumes after the storm',
  'Library opens on Sundays',
  'School choir wins the regional cup',
  'New bike lanes on the river road',
  'Museum lends its oldest map',
  'Night market returns to the square',
  'Bridge repairs finish a week early',
  'Football club signs a local goalkeeper',
  'Snow expected in the hills tonight',
];

onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Cache-Control', 'no-store');
  // A credentialed request gets its own origin back, never `*` (Fetch standard, CORS check).
  // Allow only origins you know: `null` is the runner's opaque origin here, but in real life any
  // sandboxed frame on any site sends `Origin: null`, so a real site never allows it.
  const allowed = ['null'];
  const origin = req.headers.origin;
  if (origin !== undefined && allowed.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  }
  // The answer depends on Origin: a cache must not give one origin's answer to another.
  res.setHeader('Vary', 'Origin');

  // ?drop=N: end the response after N events, a stand-in for a dropped connection (a phone in a
  // tunnel, a proxy's idle timer). The lab's own fault options do not apply to mine/: the query
  // is yours, so your handler plays the fault itself. EventSource reconnects after any end.
  const drop = Number(req.query.drop) || headlines.length;

  // A reconnecting EventSource sends the id of the last event it received (null on the first).
  console.log('a stream opens, Last-Event-ID:', req.lastEventId);
  // Resume right after the last id received. The header is the client's: read it as a number,
  // and treat anything else as "from the start".
  const after = Number.parseInt(req.lastEventId ?? '0', 10);
  let next = (Number.isInteger(after) && after > 0 ? after : 0) + 1;
  if (next > headlines.length) {
    res.status = 204; // nothing left: 204 No Content tells EventSource to stop (lesson 7)
    res.end();
    return;
  }

  // retry: how long EventSource waits before it reconnects (the browser's own default is ~3 s).
  res.write('retry: 1000\n\n');
  res.flush();

  let sent = 0;
  const timer = setInterval(() => {
    const data = JSON.stringify({ text: headlines[next - 1] });
    // id: the browser remembers it; event: the name addEventListener listens for.
    res.write(`id: ${next}\nevent: headline\ndata: ${data}\n\n`);
    res.flush();
    next++;
    sent++;
    if (sent === drop || next > headlines.length) {
      clearInterval(timer);
      res.end();
    }
  }, 250);
});
