// 小明说完再见就走了；小红和小刚留下来继续聊。
/** 打开 name 的连接，把它听到的内容显示在它自己那一栏里；连接打开后兑现。 */
function join(name) {
  const column = document.createElement('section');
  column.innerHTML = '<h3></h3>';
  column.firstChild.textContent = name;
  document.body.append(column);
  const ws = new WebSocket('mine/room');
  ws.onmessage = (e) => {
    console.log(`${name} 听到`, e.data);
    const line = document.createElement('p');
    line.textContent = e.data;
    column.append(line);
  };
  ws.onclose = (e) => console.log(`${name}：连接已关闭`, e.code, JSON.stringify(e.reason));
  return new Promise((resolve) => (ws.onopen = () => resolve(ws)));
}

const ada = await join('小明');
const bob = await join('小红');
const cy = await join('小刚');

ada.send('小明：我得走了，再见！');
ada.close(1000, '回家了'); // 浏览器发出的关闭帧，带着关闭码和原因

// 小红等到房间宣布有人离开（房间要是一直不说，就等 1.5 秒）。
await new Promise((resolve) => {
  bob.addEventListener('message', (e) => {
    if (e.data.includes('"leave"')) resolve();
  });
  setTimeout(resolve, 1500);
});
bob.send('小红：小明去哪儿了？');
cy.send('小刚：他说回家了。');

setTimeout(() => {
  bob.close(1000, '聊完了');
  cy.close(1000, '聊完了');
}, 2000);
