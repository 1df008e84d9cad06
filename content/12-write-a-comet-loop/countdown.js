// The same reader, asking your handler for a countdown from 5.
const xhr = new XMLHttpRequest();
xhr.open('GET', 'mine/countdown?from=5');
let seen = 0;
xhr.onprogress = () => {
  const end = xhr.responseText.lastIndexOf('\n') + 1;
  const fresh = xhr.responseText.slice(seen, end);
  seen = end;
  for (const line of fresh.split('\n')) {
    if (line) console.log(`readyState ${xhr.readyState}: ${JSON.parse(line).text}`);
  }
};
xhr.onload = () => console.log(`readyState ${xhr.readyState}: done, status ${xhr.status}`);
xhr.send();
