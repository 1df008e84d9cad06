// Short polling: ask, get an answer at once, ask again a little later.
let polls = 0;
const timer = setInterval(async () => {
  polls += 1;
  if (polls === 5) clearInterval(timer); // five polls, then the run ends by itself
  const res = await fetch('time');
  const { time, seq } = await res.json();
  console.log(`poll ${polls}: seq ${seq}, server time ${time}`);
}, 1000);
