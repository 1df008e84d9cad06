// 一种常见的手写重连：出错时扔掉这个 EventSource，再开一个新的。
// 运行它，比一比断线前后的 id。
let last = ''; // 最后收到的事件的 id
let received = 0;

function connect() {
  const es = new EventSource('sse?drop=3');
  es.addEventListener('tick', (e) => {
    last = e.lastEventId;
    console.log('tick', last);
    if (++received === 6) es.close();
  });
  es.onerror = () => {
    es.close(); // 新的 EventSource 从空的“最后事件 ID”开始……
    console.log('在 id', last, '之后断开，正在重连');
    setTimeout(connect, 1500);
  };
}
connect();
