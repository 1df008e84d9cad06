// send() never blocks: what the network has not taken yet waits in bufferedAmount.
const ws = new WebSocket('echo');
const chunk = 'x'.repeat(32 * 1024);

ws.onopen = async () => {
  for (let i = 0; i < 8; i++) {
    ws.send(chunk);
    console.log('after send', i + 1, '→ bufferedAmount', ws.bufferedAmount);
  }
  // A careful sender waits for the buffer to drain before sending more.
  while (ws.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 10));
  console.log('drained: bufferedAmount', ws.bufferedAmount);
};
let back = 0;
ws.onmessage = () => {
  if (++back === 8) ws.close(1000, 'done');
};
ws.onclose = (e) => console.log('closed', e.code, `after ${back} echoes`);
