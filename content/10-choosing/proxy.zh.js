// buffer=1 扮演一个会缓冲的代理：它把响应攒到结束，再一次性整个发出。
for (const url of ['stream?count=4&interval=500', 'stream?count=4&interval=500&buffer=1']) {
  const t0 = performance.now();
  const res = await fetch(url);
  const reader = res.body.getReader();
  const reads = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    reads.push(`${Math.round(performance.now() - t0)} 毫秒时 ${value.length} B`);
  }
  console.log(url);
  console.log('  Content-Length:', res.headers.get('content-length') ?? '没有（chunked）');
  console.log('  各次读取：', reads.join('，'));
}
