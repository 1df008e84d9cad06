// HTTP/1.1: a browser opens at most 6 connections to one host. An SSE stream holds one for good.
const streams = [];
for (let i = 1; i <= 7; i++) {
  const es = new EventSource(`sse?n=${i}`); // `n` is ignored by the lab: it only labels the request
  es.onopen = () => console.log(`stream ${i} open`);
  streams.push(es);
}

await new Promise((resolve) => setTimeout(resolve, 3000));
const open = streams.filter((es) => es.readyState === EventSource.OPEN).length;
console.log(`${open} of 7 streams open; the others wait for a free connection`);
// Close the waiting ones first, so none of them grabs a connection that is being freed.
for (const es of streams.toReversed()) es.close();
