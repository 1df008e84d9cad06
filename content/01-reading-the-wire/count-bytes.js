const res = await fetch('time');
const body = await res.text();
console.log(body);
console.log('Content-Length:', res.headers.get('content-length'));
console.log('bytes in the body:', '?');
