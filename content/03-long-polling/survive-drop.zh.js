// 不稳定的网络：每到第三个请求，实验服务器就在回答之前把连接切断（drop=0）。
let since = 0;
let answers = 0;
for (let n = 1; answers < 6; n++) {
  const fault = n % 3 === 0 ? '&drop=0' : '';
  try {
    const res = await fetch(`poll?since=${since}&timeout=10000${fault}`);
    if (res.status === 204) continue; // 没有新消息：用同一个 since 再问
    const { messages, last } = await res.json();
    answers += 1;
    console.log(`第 ${answers} 个回答：id ${messages[0].id}…${last}`);
    since = last;
  } catch (err) {
    // TODO：连接断了并不等于结束：稍等一会儿，再用同一个 since 重新请求。
    console.log(`第 ${n} 个请求失败（“${err.message}”），放弃`);
    break;
  }
}
