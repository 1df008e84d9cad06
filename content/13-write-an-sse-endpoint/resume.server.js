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
  // TODO 1: this page asks with credentials (withCredentials), and for a credentialed request the
  // browser refuses `*`. Answer with the request's own Origin (req.headers.origin) when it is one
  // you allow, add Access-Control-Allow-Credentials: true, and Vary: Origin for the caches.
  res.setHeader('Access-Control-Allow-Origin', '*');

  // ?drop=N: end the response after N events, a stand-in for a dropped connection (a phone in a
  // tunnel, a proxy's idle timer). The lab's own fault options do not apply to mine/: the query
  // is yours, so your handler plays the fault itself. EventSource reconnects after any end.
  const drop = Number(req.query.drop) || headlines.length;

  // A reconnecting EventSource sends the id of the last event it received (null on the first).
  console.log('a stream opens, Last-Event-ID:', req.lastEventId);
  // TODO 2: resume right after the id the browser received last, so every event arrives exactly
  // once; and when nothing is left, answer 204 so EventSource stops.
  let next = 1; // always from the start, whatever the browser asked

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
