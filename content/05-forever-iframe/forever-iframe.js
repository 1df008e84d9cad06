// The page defines the function the streamed scripts call…
let calls = 0;
window.push = (message) => {
  calls += 1;
  console.log('push:', message.text);
};
// …and loads the stream into an iframe whose page never seems to finish loading.
const frame = document.createElement('iframe');
frame.src = 'stream?format=script&count=5&interval=500';
document.body.append(frame);
await new Promise((resolve) => frame.addEventListener('load', resolve)); // fires when the stream ends
console.log(`the stream is over; push was called ${calls} times`);
try {
  console.log(typeof frame.contentWindow.push); // what each <script> in the frame tried to reach
} catch (err) {
  console.log(`${err.name}: ${err.message}`);
}
frame.remove();
