// 不稳定的网络：每到第三个请求，实验服务器就在回答之前把连接切断（drop=0）。
let since = 0;
let answers = 0;
let failures = 0; // 连续失败的次数，用来计算退避时间
for (let n = 1; answers < 6; n++) {
  const fault = n % 3 === 0 ? '&drop=0' : '';
  try {
    const res = await fetch(`poll?since=${since}&timeout=10000${fault}`);
    failures = 0;
    if (res.status === 204) continue; // 没有新消息：用同一个 since 再问
    const { messages, last } = await res.json();
    answers += 1;
    console.log(`第 ${answers} 个回答：id ${messages[0].id}…${last}`);
    since = last;
  } catch (err) {
    // 游标没有动，所以什么也没丢。退避（250 毫秒、500 毫秒、1 秒……最多 5 秒）后重试。
    failures += 1;
    const wait = Math.min(5000, 250 * 2 ** (failures - 1));
    console.log(`第 ${n} 个请求失败（“${err.message}”），${wait} 毫秒后用 since=${since} 重试`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
