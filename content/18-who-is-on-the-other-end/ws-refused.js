const { ticket } = await (await fetch('ticket', { method: 'POST' })).json();

/** Opens a WebSocket, closes it once open, and resolves when it is closed. */
function attempt(label, url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => {
      console.log(`${label}: open`);
      ws.close(1000, 'done');
    };
    // The error event carries no status and no reason: the 401 or 403 is only on the wire.
    ws.onerror = () => console.log(`${label}: error event`);
    ws.onclose = (e) => {
      console.log(`${label}: close ${e.code}, wasClean ${e.wasClean}`);
      resolve();
    };
  });
}

await attempt('first use of the ticket', `ws?ticket=${ticket}`); // 101
await attempt('same ticket again', `ws?ticket=${ticket}`); // 401: already used
// origin=check: the lab accepts only a handshake whose Origin is this site. This page's is "null".
await attempt('origin=check', 'ws?origin=check'); // 403
