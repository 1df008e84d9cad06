// 短轮询：问一次，马上得到回答，过一会儿再问。
let polls = 0;
const timer = setInterval(async () => {
  polls += 1;
  if (polls === 5) clearInterval(timer); // 轮询五次，之后这次运行自己结束
  const res = await fetch('time');
  const { time, seq } = await res.json();
  console.log(`第 ${polls} 次轮询：seq ${seq}，服务器时间 ${time}`);
}, 1000);
