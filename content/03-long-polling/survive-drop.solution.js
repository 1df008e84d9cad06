// A flaky network: every third request, the lab cuts the connection before answering (drop=0).
let since = 0;
let answers = 0;
let failures = 0; // failures in a row, for the backoff
for (let n = 1; answers < 6; n++) {
  const fault = n % 3 === 0 ? '&drop=0' : '';
  try {
    const res = await fetch(`poll?since=${since}&timeout=10000${fault}`);
    failures = 0;
    if (res.status === 204) continue; // nothing new: ask again, same since
    const { messages, last } = await res.json();
    answers += 1;
    console.log(`answer ${answers}: ids ${messages[0].id}…${last}`);
    since = last;
  } catch (err) {
    // The cursor did not move: nothing was lost. Back off (250 ms, 500 ms, 1 s… at most 5 s), retry.
    failures += 1;
    const wait = Math.min(5000, 250 * 2 ** (failures - 1));
    console.log(`request ${n} failed (${err.message}) — retrying since=${since} in ${wait} ms`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
