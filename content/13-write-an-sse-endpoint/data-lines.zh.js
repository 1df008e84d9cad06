// 读取你自己的处理函数写出的流（你的服务端代码，在这一步的第二个编辑器里）。
const es = new EventSource('mine/clock');
let received = 0;

es.onopen = () => console.log('已打开：readyState', es.readyState);
es.onerror = () => console.log('出错：readyState', es.readyState);
es.onmessage = (e) => {
  console.log(e.data);
  if (++received === 5) {
    es.close(); // 不关的话，响应一结束 EventSource 就会重连
    console.log('收到', received, '个事件后关闭');
  }
};
