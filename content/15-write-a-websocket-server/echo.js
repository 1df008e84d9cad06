// Talk to your own echo server: say hello, then ask it to close.
const ws = new WebSocket('mine/echo'); // relative, like the lab's endpoints: ws://…/lab/<session>/mine/echo

ws.onopen = () => ws.send('hello');
ws.onmessage = (e) => {
  console.log('from the server:', e.data);
  if (e.data === 'hello') ws.send('bye'); // the echo came back: now ask the server to close
};
ws.onclose = (e) => {
  // The code and reason are the ones your handler chose in ws.close(code, reason).
  console.log('close event: code', e.code, 'reason', JSON.stringify(e.reason), 'clean', e.wasClean);
};
