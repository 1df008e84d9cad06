// The key of your last run's handshake is in the inspector (Sec-WebSocket-Key): paste it here.
// This one is the example of RFC 6455 §1.3; its accept value is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
const key = 'dGhlIHNhbXBsZSBub25jZQ==';
// Every server appends the same GUID: 258EAFA5-E914-47DA-95CA-C5AB0DC85B11

async function acceptFor(key) {
  if (!crypto.subtle) throw new Error('crypto.subtle needs a secure context: https, or localhost');
  const input = new TextEncoder().encode(key); // what exactly does the server hash?
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-1', input));
  return btoa(String.fromCharCode(...hash)); // 20 bytes → 28 characters of base64
}

console.log('Sec-WebSocket-Key:', key);
console.log('Sec-WebSocket-Accept:', await acceptFor(key));

// A new handshake for the inspector: its Sec-WebSocket-Key is one you can paste above next time.
const ws = new WebSocket('echo');
ws.onopen = () => ws.close(1000, 'done');
