// HTTP/1.1：浏览器对同一个主机最多开 6 个连接。一个 SSE 流会一直占着其中一个。
const streams = [];
for (let i = 1; i <= 7; i++) {
  const es = new EventSource(`sse?n=${i}`); // 实验服务器不理会 `n`：它只是给请求做个记号
  es.onopen = () => console.log(`第 ${i} 个流已打开`);
  streams.push(es);
}

await new Promise((resolve) => setTimeout(resolve, 3000));
const open = streams.filter((es) => es.readyState === EventSource.OPEN).length;
console.log(`7 个流里有 ${open} 个已打开；其余的在等空出来的连接`);
// 先关掉还在等的那些，免得它们抢到正在释放的连接。
for (const es of streams.toReversed()) es.close();
