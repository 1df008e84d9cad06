// 204（或者 200 以外的任何状态码）不是网络错误：EventSource 会彻底放弃。
const es = new EventSource('sse?status=204');

es.onerror = () => {
  // 2 = CLOSED：不会重连。（如果是连接被切断，这里会是 0 = CONNECTING。）
  console.log('出错，readyState', es.readyState);
};
