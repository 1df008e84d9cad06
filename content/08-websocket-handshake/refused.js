// status=403: the lab answers the handshake with 403 Forbidden instead of 101.
const t0 = performance.now();
const ws = new WebSocket('echo?status=403');

ws.onopen = () => console.log('open (not this time)');
// The error event carries no status and no body: scripts are not told why a handshake failed.
ws.onerror = () => console.log('error event');
ws.onclose = (e) => {
  const ms = Math.round(performance.now() - t0);
  console.log(`close: code ${e.code}, wasClean ${e.wasClean}, after ${ms} ms`);
};
