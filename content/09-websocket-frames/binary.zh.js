// 二进制消息：opcode 0x2。binaryType 决定浏览器交给你的是什么。
const ws = new WebSocket('echo');
ws.binaryType = 'arraybuffer'; // 默认是 'blob'

ws.onopen = () => {
  ws.send(new Uint8Array([0xde, 0xad, 0xbe, 0xef])); // 类型化数组、ArrayBuffer 或 Blob 都可以
  ws.send('deadbeef'); // 同样的字母当作文本发：opcode 0x1，8 个字节
};
ws.onmessage = (e) => {
  if (e.data instanceof ArrayBuffer) {
    console.log('二进制：', [...new Uint8Array(e.data)].map((b) => b.toString(16)).join(' '));
  } else {
    console.log('文本：', e.data);
    ws.close(1000, '完成');
  }
};
