// 笔记里最初的写法：用 $.ajax 加一个 success 回调。
const start = performance.now();
console.log('请求已发出；等待 success……');
$.ajax({
  url: 'stream',
  // 沙箱的源是不透明的（"null"），但它的 URL 在本机上，jQuery 会把请求当成同源，
  // 加上 X-Requested-With 请求头，而这个头需要一次 CORS 预检。
  crossDomain: true,
  success(data) {
    // 只调用一次，在整个响应到齐时：大约 8 秒后，9 行一起到。
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    console.log(`${seconds} 秒后 success，共 ${data.split('\n').length - 1} 行：`);
    console.log(data);
  },
});
