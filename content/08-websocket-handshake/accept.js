// The key of your last run's handshake is in the inspector (Sec-WebSocket-Key): paste it here.
// This one is the example of RFC 6455 §1.3; its accept value is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
const key = 'dGhlIHNhbXBsZSBub25jZQ==';
// Every server appends the same GUID: 258EAFA5-E914-47DA-95CA-C5AB0DC85B11

async function acceptFor(key) {
  const input = new TextEncoder().encode(key); // what exactly does the server hash?
  // crypto.subtle exists only in a secure context (https, or localhost). On plain http from a
  // LAN address it is undefined: the playground's sha1() computes the same 20 bytes there.
  const hash = crypto.subtle ? new Uint8Array(await crypto.subtle.digest('SHA-1', input)) : sha1(input);
  return btoa(String.fromCharCode(...hash)); // 20 bytes → 28 characters of base64
}

console.log('SHA-1 by', crypto.subtle ? 'crypto.subtle (a secure context)' : 'sha1() (not a secure context)');
console.log('Sec-WebSocket-Key:', key);
console.log('Sec-WebSocket-Accept:', await acceptFor(key));

// A new handshake for the inspector: its Sec-WebSocket-Key is one you can paste above next time.
const ws = new WebSocket('echo');
ws.onopen = () => ws.close(1000, 'done');
