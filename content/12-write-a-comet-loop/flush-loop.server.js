// The notes' PHP comet loop, written for the Wire Lab sandbox: nine JSON lines, one a second,
// each pushed onto the wire the moment it is written.
onRequest((req, res) => {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8'); // header('Content-Type: …');
  // Without it, Chromium holds back the first 1024 bytes of a text/plain body to sniff its type
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Access-Control-Allow-Origin', '*'); // the runner's page has an opaque origin
  let i = 0;
  const send = () => {
    i += 1;
    res.write(`${JSON.stringify({ success: 'ok', text: `message ${i}` })}\n`); // echo json_encode(…), "\n";
    res.flush(); // ob_flush(); flush();  → one chunk on the wire, now
    console.log(`message ${i} flushed`);
    if (i === 9)
      res.end(); // the script ends: the last chunk, 0\r\n\r\n
    else setTimeout(send, 1000); // sleep(1);
  };
  send();
});
