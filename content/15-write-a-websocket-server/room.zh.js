// 一个页面里的三个人：三个连到你的房间处理程序的 WebSocket。
const names = ['小明', '小红', '小刚'];

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
    line.textContent = e.data; // 当作纯文本：房间里的任何人都能发任何东西
    column.append(line);
  };
  ws.onclose = (e) => console.log(`${name}：连接已关闭`, e.code, JSON.stringify(e.reason));
  return new Promise((resolve) => (ws.onopen = () => resolve(ws)));
}

// 一个接一个地进来，房间看到的就是这个顺序。
const people = [];
for (const name of names) people.push(await join(name));

// 然后大家同时开口，各说两句，每人用自己的连接。
people.forEach((ws, i) => {
  ws.send(`${names[i]}：大家好`);
  ws.send(`${names[i]}：听得到吗？`);
});

setTimeout(() => {
  for (const ws of people) ws.close(1000, '说完了');
}, 3000);
