// permessage-deflate（RFC 7692）：请实验服务器压缩，然后发一条重复很多的消息。
const ws = new WebSocket('ws?deflate=1');
const text = 'tick tock '.repeat(100); // 1000 字节，同一句话说了 100 遍

ws.onopen = () => {
  console.log('扩展：', ws.extensions); // 握手时商定的内容
  ws.send(text);
};
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.type !== 'chat') return; // 数据流里的 tick 可能先到
  console.log('收到：', e.data.length, '个字符；检查器里能看到线路上只走了多少字节');
  ws.close(1000, '完成');
};
ws.onclose = (e) => console.log('已关闭', e.code);
