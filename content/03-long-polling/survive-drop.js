// A flaky network: every third request, the lab cuts the connection before answering (drop=0).
let since = 0;
let answers = 0;
for (let n = 1; answers < 6; n++) {
  const fault = n % 3 === 0 ? '&drop=0' : '';
  try {
    const res = await fetch(`poll?since=${since}&timeout=10000${fault}`);
    if (res.status === 204) continue; // nothing new: ask again, same since
    const { messages, last } = await res.json();
    answers += 1;
    console.log(`answer ${answers}: ids ${messages[0].id}…${last}`);
    since = last;
  } catch (err) {
    // TODO: a dead connection is not the end: wait a little, then ask again with the same since.
    console.log(`request ${n} failed (${err.message}) — giving up`);
    break;
  }
}
