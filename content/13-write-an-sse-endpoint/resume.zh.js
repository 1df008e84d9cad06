// 这个页面带凭据发请求：浏览器会为 mine/ 带上它的 Cookie（沙箱里的运行框架一个也没有，
// 但针对凭据的 CORS 规则照样生效）。
const es = new EventSource('mine/headlines?drop=3', { withCredentials: true });
const ids = [];

es.onopen = () => console.log('已打开');
es.onerror = () => {
  if (es.readyState === EventSource.CLOSED)
    console.log('出错：readyState 2（CLOSED），EventSource 放弃了：看看响应头');
  else console.log('出错：readyState', es.readyState, '（CONNECTING：它会重连）');
};
es.addEventListener('headline', (e) => {
  const again = ids.includes(e.lastEventId) ? '  ← 重复了！' : '';
  ids.push(e.lastEventId);
  console.log(`#${e.lastEventId}`, JSON.parse(e.data).text + again);
  if (ids.length === 9) {
    es.close();
    console.log('收到的 id：', ids.join(' '));
  }
});
