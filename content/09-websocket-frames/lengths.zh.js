// 三种大小，载荷长度的三种编码：7 位、7+16 位、7+64 位。
const sizes = [125, 126, 65536]; // 65536 也是实验服务器的上限：再多一个字节就会以 1009 关闭
const ws = new WebSocket('echo');

ws.onopen = () => {
  for (const n of sizes) ws.send('x'.repeat(n));
};
let back = 0;
ws.onmessage = (e) => {
  console.log('回声', e.data.length, '字节');
  if (++back === sizes.length) ws.close(1000, '完成');
};
ws.onclose = (e) => console.log('已关闭', e.code, e.reason);
