// This page asks with credentials: the browser would send its cookies for mine/ (the sandboxed
// runner has none, but the CORS rules for credentials apply all the same).
const es = new EventSource('mine/headlines?drop=3', { withCredentials: true });
const ids = [];

es.onopen = () => console.log('open');
es.onerror = () => {
  if (es.readyState === EventSource.CLOSED)
    console.log('error: readyState 2 (CLOSED), EventSource gave up: look at the response head');
  else console.log('error: readyState', es.readyState, '(CONNECTING: it reconnects)');
};
es.addEventListener('headline', (e) => {
  const again = ids.includes(e.lastEventId) ? '  ← again!' : '';
  ids.push(e.lastEventId);
  console.log(`#${e.lastEventId}`, JSON.parse(e.data).text + again);
  if (ids.length === 9) {
    es.close();
    console.log('ids received:', ids.join(' '));
  }
});
