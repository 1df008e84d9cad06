// lang=en adds the time in words, with an emoji: text whose characters are not its bytes.
const res = await fetch('time?lang=en');
const body = await res.text();
console.log(body);
console.log('Content-Length:', res.headers.get('content-length'));
console.log('characters (body.length):', body.length);
// body.length counts UTF-16 code units (🕒 is 2 of them); the wire carries UTF-8 bytes (🕒 is 4).
// TextEncoder turns the text back into those bytes.
console.log('bytes in the body:', new TextEncoder().encode(body).length);
