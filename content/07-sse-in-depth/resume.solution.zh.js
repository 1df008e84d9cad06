// 一种常见的手写重连：出错时扔掉这个 EventSource，再开一个新的。
// 修好了：新的 EventSource 请求从它见过的最后一个 id 之后接着发。
let last = ''; // 最后收到的事件的 id
let received = 0;

function connect() {
  // 脚本没法设置 Last-Event-ID 请求头；实验服务器也会读 URL 里的 `lastEventId=`。
  const es = new EventSource(last ? `sse?drop=3&lastEventId=${last}` : 'sse?drop=3');
  es.addEventListener('tick', (e) => {
    last = e.lastEventId;
    console.log('tick', last);
    if (++received === 6) es.close();
  });
  es.onerror = () => {
    es.close();
    console.log('在 id', last, '之后断开，正在重连');
    setTimeout(connect, 1500);
  };
}
connect();
