// Lesson 4's comet client, reading your own handler: one request, read at readyState 3.
const xhr = new XMLHttpRequest();
xhr.open('GET', 'mine/loop'); // answered by the code in the "Your server" tab
let seen = 0; // how much of responseText we have already handled
xhr.onprogress = () => {
  const end = xhr.responseText.lastIndexOf('\n') + 1; // only complete lines
  const fresh = xhr.responseText.slice(seen, end);
  seen = end;
  for (const line of fresh.split('\n')) {
    if (line) console.log(`readyState ${xhr.readyState}: ${JSON.parse(line).text}`);
  }
};
xhr.onload = () => console.log(`readyState ${xhr.readyState}: done, status ${xhr.status}`);
xhr.send();
