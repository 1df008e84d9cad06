const { ticket } = await (await fetch('ticket', { method: 'POST' })).json();

// auth=first：URL 里没有任何秘密，票在连接里面传。
const ws = new WebSocket('ws?auth=first');
ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', ticket }));
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.type === 'auth') {
    console.log('认证通过：数据流从现在开始');
    ws.send('你好，我是持票的用户');
  } else if (m.type === 'chat') {
    console.log('聊天：', m.data);
    ws.close(1000, 'done');
  }
};
ws.onclose = (e) => console.log(`close 事件，e.code ${e.code}`);

// 第一条消息说了别的，连接就被 1008 关闭，而且脚本能读到原因。
const rude = new WebSocket('ws?auth=first');
rude.onopen = () => rude.send('hello');
rude.onclose = (e) => console.log(`另一个连接：close 事件，e.code ${e.code}，原因 "${e.reason}"`);
