// Three sizes, three encodings of the payload length: 7 bits, 7+16 bits, 7+64 bits.
const sizes = [125, 126, 65536]; // 65536 is also the lab's limit: one byte more closes with 1009
const ws = new WebSocket('echo');

ws.onopen = () => {
  for (const n of sizes) ws.send('x'.repeat(n));
};
let back = 0;
ws.onmessage = (e) => {
  console.log('echoed', e.data.length, 'bytes');
  if (++back === sizes.length) ws.close(1000, 'done');
};
ws.onclose = (e) => console.log('closed', e.code, e.reason);
