// 上一次运行的握手密钥在检查器里（Sec-WebSocket-Key）：把它粘贴到这里。
// 这个是 RFC 6455 §1.3 里的例子，它的 accept 值是 s3pPLMBiTxaQ9kYGzzhZRbK+xOo=。
const key = 'dGhlIHNhbXBsZSBub25jZQ==';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

async function acceptFor(key) {
  // RFC 6455 §4.2.2：对“密钥 + GUID”做 SHA-1，再转成 base64。
  const input = new TextEncoder().encode(key + GUID);
  // crypto.subtle 只在安全上下文里存在（https 或 localhost）。从局域网地址用普通 http 打开时
  // 它是 undefined：这时由 playground 提供的 sha1() 算出同样的 20 个字节。
  const hash = crypto.subtle ? new Uint8Array(await crypto.subtle.digest('SHA-1', input)) : sha1(input);
  return btoa(String.fromCharCode(...hash)); // 20 个字节 → 28 个 base64 字符
}

console.log('SHA-1 由', crypto.subtle ? 'crypto.subtle 计算（安全上下文）' : 'sha1() 计算（不是安全上下文）');
console.log('Sec-WebSocket-Key:', key);
console.log('Sec-WebSocket-Accept:', await acceptFor(key));

// 再做一次握手给检查器看：它的 Sec-WebSocket-Key 下次可以粘贴到上面。
const ws = new WebSocket('echo');
ws.onopen = () => ws.close(1000, '完成');
