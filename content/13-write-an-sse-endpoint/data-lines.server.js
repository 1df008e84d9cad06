// Your own SSE endpoint: the lab answers /lab/<session>/mine/… with this function.
onRequest((req, res) => {
  console.log('a client connected to', req.path);
  // What makes the answer an event stream for EventSource (anything else and it gives up).
  res.setHeader('Content-Type', 'text/event-stream');
  // Nothing between you and the browser may keep a copy of a live stream.
  res.setHeader('Cache-Control', 'no-store');
  // The page runs in a sandboxed frame with an opaque origin: it sends `Origin: null`.
  // Without this header the bytes still arrive, but the browser does not hand them to the page.
  res.setHeader('Access-Control-Allow-Origin', '*');

  let sent = 0;
  const timer = setInterval(() => {
    const time = new Date().toISOString().slice(11, 19);
    res.write(`data: The server time is ${time}\n\n`); // one event: a data line, then a blank line
    res.flush(); // onto the wire now, as one chunk (PHP: ob_flush(); flush();)
    if (++sent === 5) {
      clearInterval(timer);
      res.end(); // the last chunk: a proper end
    }
  }, 400);
});
