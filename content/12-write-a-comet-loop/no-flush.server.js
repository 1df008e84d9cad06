// The same loop without the flush: every write waits in the output buffer, as PHP's output
// does without ob_flush(); flush();
onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Access-Control-Allow-Origin', '*');
  let i = 0;
  const send = () => {
    i += 1;
    res.write(`${JSON.stringify({ success: 'ok', text: `message ${i}` })}\n`);
    // no res.flush(): the line stays in the server's buffer
    console.log(`message ${i} written, not flushed`);
    if (i === 9)
      res.end(); // now the whole body leaves at once, with Content-Length
    else setTimeout(send, 1000);
  };
  send();
});
