// drop=3：实验服务器每发 3 个事件就切断一次 TCP 连接。
// retry=2000：流告诉 EventSource，重连之前先等 2 秒。
const es = new EventSource('sse?drop=3&retry=2000');
const ids = [];

es.onopen = () => console.log('连接已打开');
es.onerror = () => console.log('出错：readyState', es.readyState, '（0 表示又回到 CONNECTING）');
es.addEventListener('tick', (e) => {
  ids.push(Number(e.lastEventId));
  console.log('tick', e.lastEventId);
  if (ids.length === 6) {
    es.close();
    console.log('收到的 id：', ids.join(' ')); // 没有缺口，也没有重复
  }
});
