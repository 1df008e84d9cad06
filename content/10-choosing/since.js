// Short polling, the naive way: every second, ask for "the news".
for (let i = 1; i <= 4; i++) {
  const body = await (await fetch('news')).text();
  const { messages, last } = JSON.parse(body);
  console.log(`answer ${i}: ${messages.length} messages in ${body.length} bytes, last id ${last}`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
