// 第 4 课的 comet 客户端，这次读的是你自己的处理程序：只发一个请求，在 readyState 3 读取。
const xhr = new XMLHttpRequest();
xhr.open('GET', 'mine/loop'); // 由“你的服务器”标签页里的代码来应答
let seen = 0; // responseText 里已经处理过的长度
xhr.onprogress = () => {
  const end = xhr.responseText.lastIndexOf('\n') + 1; // 只取完整的行
  const fresh = xhr.responseText.slice(seen, end);
  seen = end;
  for (const line of fresh.split('\n')) {
    if (line) console.log(`readyState ${xhr.readyState}：${JSON.parse(line).text}`);
  }
};
xhr.onload = () => console.log(`readyState ${xhr.readyState}：结束，状态码 ${xhr.status}`);
xhr.send();
