const { ticket } = await (await fetch('ticket', { method: 'POST' })).json();

/** 打开一个 WebSocket，一打开就关掉；关闭后 resolve。 */
function attempt(label, url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => {
      console.log(`${label}：连接已打开`);
      ws.close(1000, 'done');
    };
    // error 事件里没有状态码，也没有原因：401 或 403 只在线路上看得到。
    ws.onerror = () => console.log(`${label}：error 事件`);
    ws.onclose = (e) => {
      console.log(`${label}：close 事件，e.code ${e.code}，e.wasClean ${e.wasClean}`);
      resolve();
    };
  });
}

await attempt('第一次用这张票', `ws?ticket=${ticket}`); // 101
await attempt('同一张票再用一次', `ws?ticket=${ticket}`); // 401：已经用过
// origin=check：只接受 Origin 是本站的握手。这个页面的 Origin 是 "null"。
await attempt('origin=check', 'ws?origin=check'); // 403
