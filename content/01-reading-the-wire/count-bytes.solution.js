const res = await fetch('time');
const body = await res.text();
console.log(body);
console.log('Content-Length:', res.headers.get('content-length'));
// The header counts bytes, not characters: encode the text to count them.
console.log('bytes in the body:', new TextEncoder().encode(body).length);
