// delay=2000: the lab waits 2 s before answering the handshake.
const t0 = performance.now();
const ws = new WebSocket('echo?delay=2000');
const timer = setInterval(() => console.log('readyState', ws.readyState), 500); // 0 = CONNECTING

ws.onopen = () => {
  clearInterval(timer);
  console.log(`open after ${Math.round(performance.now() - t0)} ms`);
  ws.close(1000, 'done');
};
ws.onclose = (e) => console.log('closed', e.code, e.reason);
