// A 204 (or any status but 200) is not a network error: EventSource gives up for good.
const es = new EventSource('sse?status=204');

es.onerror = () => {
  // 2 = CLOSED: no reconnection. (A dropped connection would show 0 = CONNECTING.)
  console.log('error, readyState', es.readyState);
};
