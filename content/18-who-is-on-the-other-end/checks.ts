import type { HttpExchange, WireFacts } from '../../src/checks/types.ts';
import { defineChecks, fail } from '../../src/checks/types.ts';

const isUpgrade = (e: HttpExchange): boolean =>
  (e.requestHeaders.upgrade ?? '').toLowerCase() === 'websocket';

/** The tickets the lab issued in this run (`POST ticket` answered 200), in order. */
function issuedTickets(wire: WireFacts): string[] {
  const out: string[] = [];
  for (const e of wire.exchanges) {
    if (e.endpoint !== 'ticket' || e.status !== 200) continue;
    try {
      const t = JSON.parse(e.responseBody).ticket;
      if (typeof t === 'string') out.push(t);
    } catch {
      // a body cut short: not a ticket this run can use
    }
  }
  return out;
}

const noTicket = fail(
  'No ticket was issued: POST ticket first (fetch("ticket", { method: "POST" })), then use the answer.',
  '没有领到票：先发 POST ticket（fetch("ticket", { method: "POST" })），再用它的应答。',
);

/** WebSocket handshakes to `ws`, in order. */
const wsHandshakes = (wire: WireFacts): HttpExchange[] =>
  wire.exchanges.filter((e) => e.endpoint === 'ws' && isUpgrade(e));

/** Query parameters that would carry a long-lived secret in a URL. */
const LONG_LIVED = /^(token|access_token|auth_token|api_key|apikey|key|jwt|password|session)$/i;

export default defineChecks({
  traffic: {
    'sse-ticket': (wire) => {
      const [ticket] = issuedTickets(wire);
      if (!ticket) return noTicket;
      const streams = wire.exchanges.filter((e) => e.endpoint === 'sse' && e.query.ticket === ticket);
      if (streams[0]?.status !== 200)
        return fail(
          `The first sse?ticket= request was answered ${streams[0]?.status ?? '(not yet)'}, not 200.`,
          `第一个 sse?ticket= 请求的应答是 ${streams[0]?.status ?? '（还没有）'}，不是 200。`,
        );
      if (streams[1]?.status !== 401)
        return fail(
          "EventSource's reconnect with the same ticket has not been refused 401 yet.",
          'EventSource 拿同一张票重连，还没有看到 401 拒绝。',
        );
      return true;
    },

    'ws-refused': (wire) => {
      const [ticket] = issuedTickets(wire);
      if (!ticket) return noTicket;
      const withTicket = wsHandshakes(wire).filter((e) => e.query.ticket === ticket);
      if (withTicket[0]?.status !== 101 || withTicket[1]?.status !== 401)
        return fail(
          `The same ticket twice should be answered 101, then 401; it was ${withTicket.map((e) => e.status ?? '…').join(', ') || 'not used'}.`,
          `同一张票用两次，应答应该先是 101、再是 401；实际是 ${withTicket.map((e) => e.status ?? '…').join('、') || '没用上'}。`,
        );
      const checked = wsHandshakes(wire).find((e) => e.query.origin === 'check');
      if (checked?.status !== 403)
        return fail(
          `The ws?origin=check handshake was answered ${checked?.status ?? '(not yet)'}, not 403.`,
          `ws?origin=check 的握手应答是 ${checked?.status ?? '（还没有）'}，不是 403。`,
        );
      return true;
    },

    'first-message': (wire) => {
      const hs = wsHandshakes(wire).filter((e) => e.query.auth === 'first');
      if (hs.length < 2 || hs.some((e) => e.status !== 101))
        return fail(
          'Two ws?auth=first handshakes, both answered 101, were expected.',
          '应该有两次 ws?auth=first 握手，而且都得到 101。',
        );
      if (hs.some((e) => e.query.ticket))
        return fail('With auth=first the URL carries no ticket.', '用 auth=first 时，URL 里不该带票。');
      const acked = wire.wsFrames.some(
        (f) => f.dir === 'out' && f.opcode === 1 && /^\{"type":"auth","ok":true\}$/.test(f.text ?? ''),
      );
      if (!acked)
        return fail(
          'The lab never answered {"type":"auth","ok":true}: send {"type":"auth","ticket":…} first.',
          '实验服务器没有回 {"type":"auth","ok":true}：第一条消息要发 {"type":"auth","ticket":…}。',
        );
      if (!wire.wsFrames.some((f) => f.dir === 'out' && f.opcode === 8 && f.closeCode === 1008))
        return fail(
          'The socket whose first message was not an auth message was not closed 1008.',
          '第一条消息不是认证消息的那个连接，没有被 1008 关闭。',
        );
      return true;
    },

    reconnect: (wire) => {
      const issued = issuedTickets(wire);
      if (issued.length === 0) return noTicket;
      const first = wsHandshakes(wire).find((e) => e.query.ticket);
      if (first?.status !== 101)
        return fail(
          `The first ws?ticket= handshake was answered ${first?.status ?? '(not yet)'}, not 101.`,
          `第一次 ws?ticket= 握手的应答是 ${first?.status ?? '（还没有）'}，不是 101。`,
        );
      return true;
    },
  },

  exercise: {
    step: 'reconnect',
    check: (wire) => {
      const issued = new Set(issuedTickets(wire));
      const hs = wsHandshakes(wire);
      for (const e of hs) {
        const leak = Object.keys(e.query).find((k) => LONG_LIVED.test(k));
        if (leak)
          return fail(
            `A handshake carries ${leak}= in its URL: a URL ends up in logs, so it may carry only a one-time ticket.`,
            `有一次握手的 URL 里带着 ${leak}=：URL 会进日志，里面只能放一次性的票。`,
          );
      }
      const ticketed = hs.filter((e) => e.query.ticket);
      if (ticketed.length < 3)
        return fail(
          `Connect three times with ws?ticket= (seen ${ticketed.length}).`,
          `要用 ws?ticket= 连三次（现在只有 ${ticketed.length} 次）。`,
        );
      const seen = new Set<string>();
      for (const [i, e] of ticketed.entries()) {
        const t = e.query.ticket ?? '';
        if (seen.has(t))
          return fail(
            `Connection ${i + 1} reused a ticket: the lab answered ${e.status ?? '…'} (already used), and the browser saw only close 1006. Fetch a fresh ticket before each connection.`,
            `第 ${i + 1} 条连接又用了一张用过的票：实验服务器回了 ${e.status ?? '…'}（已经用过），浏览器只看到 close 1006。每次连接之前都要领一张新票。`,
          );
        seen.add(t);
        if (!issued.has(t))
          return fail(
            `Connection ${i + 1} used a ticket this run never got from POST ticket.`,
            `第 ${i + 1} 条连接用的票，不是这次运行从 POST ticket 领到的。`,
          );
        if (e.status !== 101)
          return fail(
            `Connection ${i + 1} was answered ${e.status ?? '(not yet)'}, not 101.`,
            `第 ${i + 1} 条连接的应答是 ${e.status ?? '（还没有）'}，不是 101。`,
          );
      }
      return true;
    },
  },
});
