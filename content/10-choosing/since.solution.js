// Short polling that says where it stopped: only what is new comes back.
let since = 0;
for (let i = 1; i <= 4; i++) {
  const body = await (await fetch(`news?since=${since}`)).text();
  const { messages, last } = JSON.parse(body);
  console.log(`answer ${i}: ${messages.length} messages in ${body.length} bytes, last id ${last}`);
  since = last; // the next question starts after the last message seen
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
