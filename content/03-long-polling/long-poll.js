// Long polling: the server holds each request until it has something after `since`.
let since = 0;
for (let answers = 0; answers < 5; ) {
  const res = await fetch(`poll?since=${since}&timeout=10000`);
  if (res.status === 204) {
    console.log('204 No Content: nothing new in 10 s, asking again with the same since');
    continue;
  }
  const { messages, last } = await res.json();
  answers += 1;
  console.log(`answer ${answers}: ${messages.length} message(s), ids ${messages[0].id}…${last}`);
  since = last; // the cursor: the next request starts right after the last message we have
}
console.log('done: five answers, each a separate request');
