// Two lines of Chinese text, sent as a chat message, arrive as one `chat` event.
const es = new EventSource('sse');
es.addEventListener('chat', (event) => {
  console.log(`chat ${event.lastEventId}:`, JSON.stringify(event.data)); // the \n is back
  es.close();
});
es.onopen = async () => {
  // text/plain is a "simple" content type: no CORS preflight before this POST.
  const res = await fetch('send', { method: 'POST', body: '你好，SSE！\n第二行 ✓' });
  console.log('sent, id', (await res.json()).id);
};
