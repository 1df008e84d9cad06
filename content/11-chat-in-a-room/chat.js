// A chat client that trusts itself: it shows the message the moment it is sent.
const room = 'lobby';
const me = learnerName; // this tab's name in the room: the same on every Run
const text = `${me}: is anyone here?`;

function show(line) {
  const p = document.createElement('p');
  p.textContent = line;
  document.body.append(p);
  console.log('shown:', line);
}

await fetch(`send?room=${room}`, { method: 'POST', body: text });
show(text); // …but did the room get it? Show it when the room's feed brings it back.
