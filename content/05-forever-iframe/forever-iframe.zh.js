// 页面先定义好流里的脚本要调用的函数……
let calls = 0;
window.push = (message) => {
  calls += 1;
  console.log('push：', message.text);
};
// ……再把流加载进一个 iframe，这个 iframe 的页面好像永远加载不完。
const frame = document.createElement('iframe');
frame.src = 'stream?format=script&count=5&interval=500';
document.body.append(frame);
await new Promise((resolve) => frame.addEventListener('load', resolve)); // 流结束时才触发
console.log(`流结束了；push 一共被调用了 ${calls} 次`);
try {
  console.log(typeof frame.contentWindow.push); // 框架里每个 <script> 想要找到的东西
} catch (err) {
  console.log(`${err.name}：“${err.message}”`);
}
frame.remove();
