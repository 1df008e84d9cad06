// The runner's origin is opaque (a sandboxed frame): it has no cookie jar of its own.
try {
  console.log('document.cookie:', JSON.stringify(document.cookie));
} catch (err) {
  console.log('document.cookie throws', err.name, '— this page can neither read nor set cookies');
}

// 1. Ask for a ticket over an ordinary request. A real site would check your cookie or your
//    Authorization header here, where it can; the ticket carries that answer to the stream.
const res = await fetch('ticket', { method: 'POST' });
const { ticket, expiresIn } = await res.json();
console.log(`ticket ${ticket.slice(0, 6)}…: one connection, within ${expiresIn} s`);

// 2. EventSource sends no headers you choose: the ticket goes in the URL.
//    count=2: the lab ends the stream after 2 events, and EventSource reconnects by itself,
//    after retry=500 ms, with the same URL — so with the same ticket.
const es = new EventSource(`sse?ticket=${ticket}&count=2&retry=500`);
es.onopen = () => console.log('open');
es.addEventListener('tick', (e) => console.log('tick', e.lastEventId));
es.onerror = () => {
  const state = es.readyState === EventSource.CLOSED ? '2 (CLOSED: it gives up)' : '0 (reconnecting)';
  console.log('error — readyState', state);
};
