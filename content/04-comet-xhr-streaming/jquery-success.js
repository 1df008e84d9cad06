// The way the notes first tried it: $.ajax with a success callback.
const start = performance.now();
console.log('request sent; waiting for success…');
$.ajax({
  url: 'stream',
  // The sandbox's origin is opaque ("null") but its URL is on this host, so jQuery would take the
  // request for same-origin and add an X-Requested-With header, which needs a CORS preflight.
  crossDomain: true,
  success(data) {
    // Called once, when the whole response is in: about 8 s later, with all 9 lines at once.
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    console.log(`success after ${seconds} s with ${data.split('\n').length - 1} lines:`);
    console.log(data);
  },
});
