// The classic comet client: one request, read while the response is still arriving.
const xhr = new XMLHttpRequest();
xhr.open('GET', 'stream'); // 9 messages, one a second, like the PHP loop
xhr.onprogress = () => {
  // readyState 3 (LOADING): responseText holds everything received so far — and keeps growing.
  // TODO: log only what is new since the last progress event, one message per line.
  console.log(`readyState ${xhr.readyState}, ${xhr.responseText.length} chars:`, xhr.responseText);
};
xhr.onload = () => console.log(`readyState ${xhr.readyState}: done, status ${xhr.status}`);
xhr.send();
