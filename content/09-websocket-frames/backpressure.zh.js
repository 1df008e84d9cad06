// send() 从不阻塞：网络还没取走的数据都在 bufferedAmount 里排队。
const ws = new WebSocket('echo');
const chunk = 'x'.repeat(32 * 1024);

ws.onopen = async () => {
  for (let i = 0; i < 8; i++) {
    ws.send(chunk);
    console.log('第', i + 1, '次 send 之后 → bufferedAmount', ws.bufferedAmount);
  }
  // 谨慎的发送方会等缓冲区清空再接着发。
  while (ws.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 10));
  console.log('缓冲区已清空：bufferedAmount', ws.bufferedAmount);
};
let back = 0;
ws.onmessage = () => {
  if (++back === 8) ws.close(1000, '完成');
};
ws.onclose = (e) => console.log('已关闭', e.code, `收到 ${back} 次回声之后`);
