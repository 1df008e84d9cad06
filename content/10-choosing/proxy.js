// buffer=1 plays a buffering proxy: it holds the response until its end, then sends it whole.
for (const url of ['stream?count=4&interval=500', 'stream?count=4&interval=500&buffer=1']) {
  const t0 = performance.now();
  const res = await fetch(url);
  const reader = res.body.getReader();
  const reads = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    reads.push(`${value.length} B at ${Math.round(performance.now() - t0)} ms`);
  }
  console.log(url);
  console.log('  Content-Length:', res.headers.get('content-length') ?? 'none (chunked)');
  console.log('  reads:', reads.join(', '));
}
