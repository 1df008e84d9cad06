// Start from "now": news tells us the newest id without waiting.
let { last: since } = await (await fetch('news')).json();
// A short timeout: the lab ticks once a second, so some polls find nothing in 300 ms.
for (let i = 1; i <= 6; i++) {
  const res = await fetch(`poll?since=${since}&timeout=300`);
  if (res.status === 204) {
    console.log(`poll ${i}: 204 — nothing after ${since} yet; ask again with the same since`);
    continue;
  }
  const { messages, last } = await res.json();
  console.log(`poll ${i}: 200 — message ${messages.map((m) => m.id).join(', ')}`);
  since = last;
}
