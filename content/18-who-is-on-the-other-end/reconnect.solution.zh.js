/** 向实验服务器领一张一次性的票。 */
async function fetchTicket() {
  const res = await fetch('ticket', { method: 'POST' });
  return (await res.json()).ticket;
}

/** 一条连接：打个招呼，招呼回来就关掉；关闭后 resolve。 */
function connect(n, url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => ws.send(`hello ${n}`);
    ws.onmessage = () => ws.close(1000, 'done');
    ws.onclose = (e) => {
      console.log(
        `第 ${n} 条连接：close 事件，e.code ${e.code}${e.code === 1006 ? '（被拒绝了，去检查器里看原因）' : ''}`,
      );
      resolve();
    };
  });
}

// 页面连三次，就像网络每抖一下页面都要重连一样。
for (let n = 1; n <= 3; n++) {
  // 一张票只能开一条连接：每条连接在打开之前都领一张新票。
  const ticket = await fetchTicket();
  await connect(n, `ws?ticket=${ticket}`);
}
