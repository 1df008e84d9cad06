// 经典的 comet 客户端：只发一个请求，响应还在源源不断地到来时就开始读。
const xhr = new XMLHttpRequest();
xhr.open('GET', 'stream'); // 9 条消息，每秒一条，和 PHP 那个循环一样
xhr.onprogress = () => {
  // readyState 3（LOADING）：responseText 里是到目前为止收到的全部内容，而且还在不断变长。
  // TODO：只打印上次 progress 事件之后新到的部分，每行一条消息。
  console.log(`readyState ${xhr.readyState}，${xhr.responseText.length} 个字符：`, xhr.responseText);
};
xhr.onload = () => console.log(`readyState ${xhr.readyState}：结束，状态码 ${xhr.status}`);
xhr.send();
