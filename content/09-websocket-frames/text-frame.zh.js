// 两个方向各一条短文本消息：在检查器里找到它们的两个帧。
const ws = new WebSocket('echo');

ws.onopen = () => ws.send('hello'); // 5 个字节的 UTF-8 → 一个文本帧（opcode 0x1）
ws.onmessage = (e) => {
  console.log('回来了：', e.data);
  ws.close(1000, '完成');
};
ws.onclose = (e) => console.log('已关闭', e.code, e.reason);
