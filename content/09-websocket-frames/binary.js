// Binary messages: opcode 0x2. binaryType says what the browser gives you back.
const ws = new WebSocket('echo');
ws.binaryType = 'arraybuffer'; // the default is 'blob'

ws.onopen = () => {
  ws.send(new Uint8Array([0xde, 0xad, 0xbe, 0xef])); // a typed array, an ArrayBuffer or a Blob
  ws.send('deadbeef'); // the same letters as text: opcode 0x1, 8 bytes
};
ws.onmessage = (e) => {
  if (e.data instanceof ArrayBuffer) {
    console.log('binary:', [...new Uint8Array(e.data)].map((b) => b.toString(16)).join(' '));
  } else {
    console.log('text:', e.data);
    ws.close(1000, 'done');
  }
};
