// 一个很自信的聊天客户端：消息一发出去，它就马上显示出来。
const room = 'lobby';
const me = learnerName; // 这个标签页在聊天室里的名字：每次运行都一样
const text = `${me}：有人在吗？`;

function show(line) {
  const p = document.createElement('p');
  p.textContent = line;
  document.body.append(p);
  console.log('已显示：', line);
}

await fetch(`send?room=${room}`, { method: 'POST', body: text });
show(text); // ……可房间真的收到了吗？等房间的数据源把它送回来再显示。
