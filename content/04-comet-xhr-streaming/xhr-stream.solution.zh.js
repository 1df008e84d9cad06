// 经典的 comet 客户端：只发一个请求，响应还在源源不断地到来时就开始读。
const xhr = new XMLHttpRequest();
xhr.open('GET', 'stream'); // 9 条消息，每秒一条，和 PHP 那个循环一样
let seen = 0; // responseText 里已经处理过的长度
xhr.onprogress = () => {
  // readyState 3（LOADING）：responseText 里是到目前为止收到的全部内容。
  const end = xhr.responseText.lastIndexOf('\n') + 1; // 只取完整的行
  const fresh = xhr.responseText.slice(seen, end);
  seen = end;
  for (const line of fresh.split('\n')) {
    if (line) console.log(JSON.parse(line).text);
  }
};
xhr.onload = () => console.log(`readyState ${xhr.readyState}：结束，状态码 ${xhr.status}`);
xhr.send();
