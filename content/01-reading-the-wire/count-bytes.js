// lang=en adds the time in words, with an emoji: text whose characters are not its bytes.
const res = await fetch('time?lang=en');
const body = await res.text();
console.log(body);
console.log('Content-Length:', res.headers.get('content-length'));
console.log('characters (body.length):', body.length);
// TODO: count the bytes of the body itself (not the header's number) and print them here.
console.log('bytes in the body:', '?');
