// 回显服务器：每条文本消息都原样发回给它来自的那条连接。
onWebSocket({
  open(ws, req) {
    // 握手已经完成：101 已经发出，从现在起两个方向都可以传帧了。
    console.log(`${ws.id} 号连接已打开`, req.path);
    ws.send(`欢迎，你是 ${ws.id} 号连接`);
  },
  message(ws, data) {
    console.log(`${ws.id} 号连接说：`, data);
    if (data === '再见') {
      // 关闭码和原因由处理程序自己决定：4000–4999 归应用自己用（RFC 6455 §7.4.2），
      // 原因最多 123 字节。
      ws.close(4000, '下次见'); // 原因是 UTF-8：每个汉字 3 个字节
      return;
    }
    ws.send(data); // 一个不带掩码的文本帧：服务器从不加掩码（RFC 6455 §5.1）
  },
  close(ws, code, reason) {
    console.log(`${ws.id} 号连接已关闭`, code, reason);
  },
});
