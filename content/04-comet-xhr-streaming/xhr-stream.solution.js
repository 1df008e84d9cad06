// The classic comet client: one request, read while the response is still arriving.
const xhr = new XMLHttpRequest();
xhr.open('GET', 'stream'); // 9 messages, one a second, like the PHP loop
let seen = 0; // how much of responseText we have already handled
xhr.onprogress = () => {
  // readyState 3 (LOADING): responseText holds everything received so far.
  const end = xhr.responseText.lastIndexOf('\n') + 1; // only complete lines
  const fresh = xhr.responseText.slice(seen, end);
  seen = end;
  for (const line of fresh.split('\n')) {
    if (line) console.log(JSON.parse(line).text);
  }
};
xhr.onload = () => console.log(`readyState ${xhr.readyState}: done, status ${xhr.status}`);
xhr.send();
