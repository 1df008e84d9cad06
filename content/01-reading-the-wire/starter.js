const res = await fetch('time');
console.log(res.status, res.headers.get('content-type'));
console.log(await res.json());
