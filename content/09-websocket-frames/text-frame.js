// One short text message each way: find its two frames in the inspector.
const ws = new WebSocket('echo');

ws.onopen = () => ws.send('hello'); // 5 bytes of UTF-8 → one text frame (opcode 0x1)
ws.onmessage = (e) => {
  console.log('back:', e.data);
  ws.close(1000, 'done');
};
ws.onclose = (e) => console.log('closed', e.code, e.reason);
