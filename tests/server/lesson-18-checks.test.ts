/**
 * Lesson 18's checks on real traffic (real sockets against the real server, read back from the
 * capture): the exercise fails for a page that reuses its ticket and for one that puts a
 * long-lived token in the URL, and passes for a page that fetches a fresh ticket per connection;
 * the refused-handshake step's check sees the 101, the 401 and the 403.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import lesson18 from '../../content/18-who-is-on-the-other-end/checks.ts';
import { factsFromRecords } from '../../src/checks/facts.ts';
import { captureSnapshot } from '../../src/checks/snapshot.ts';
import { newSessionId, startTestServer } from '../helpers/server.ts';
import { assertFails } from '../helpers/verdicts.ts';

const server = await startTestServer({ tickIntervalMs: 3_600_000 });
const wsBase = server.url.replace('http', 'ws');

async function fetchTicket(session: string): Promise<string> {
  const res = await fetch(`${server.url}/lab/${session}/ticket`, { method: 'POST' });
  assert.equal(res.status, 200);
  return ((await res.json()) as { ticket: string }).ticket;
}

/** Opens `path`, says hello, closes on the first message; resolves 101 or the refusal's status. */
function connect(session: string, path: string, origin = 'null'): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${wsBase}/lab/${session}/${path}`, { origin });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    ws.on('open', () => ws.send('hello'));
    ws.on('message', () => ws.close(1000));
    ws.on('close', () => resolve(101));
    ws.on('error', () => {});
  });
}

/** The checks' facts for `session`, once the capture holds `handshakes` answered handshakes. */
async function facts(session: string, handshakes: number) {
  for (let i = 0; ; i++) {
    const f = factsFromRecords(await captureSnapshot(session, { origin: server.url }), []);
    const answered = f.exchanges.filter((e) => e.endpoint === 'ws' && e.status !== undefined).length;
    if (answered >= handshakes || i > 200) return f;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('lesson 18: a fresh ticket for each connection', () => {
  it('fails for the starter, which reuses one ticket: connection 2 was answered 401', async () => {
    const session = newSessionId();
    const ticket = await fetchTicket(session);
    const statuses: number[] = [];
    for (let n = 0; n < 3; n++) statuses.push(await connect(session, `ws?ticket=${ticket}`));
    assert.deepEqual(statuses, [101, 401, 401]);
    const wire = await facts(session, 3);
    assert.equal(lesson18.traffic?.reconnect?.(wire), true, 'the step itself still runs');
    assertFails(
      lesson18.exercise!.check(wire),
      /Connection 2 reused a ticket: the lab answered 401/,
      /第 2 条连接/,
    );
  });

  it('passes for the solution, which fetches a ticket before each connection', async () => {
    const session = newSessionId();
    for (let n = 0; n < 3; n++)
      assert.equal(await connect(session, `ws?ticket=${await fetchTicket(session)}`), 101);
    assert.equal(lesson18.exercise!.check(await facts(session, 3)), true);
  });

  it('fails for a page that also puts a long-lived token in the URL', async () => {
    const session = newSessionId();
    for (let n = 0; n < 3; n++)
      assert.equal(
        await connect(session, `ws?ticket=${await fetchTicket(session)}&token=secret-for-a-year`),
        101,
      );
    assertFails(lesson18.exercise!.check(await facts(session, 3)), /token= in its URL/, /token=/);
  });

  it('fails for a page that connects fewer than three times', async () => {
    const session = newSessionId();
    await fetchTicket(session);
    assert.equal(await connect(session, `ws?ticket=${await fetchTicket(session)}`), 101);
    assertFails(lesson18.exercise!.check(await facts(session, 1)), /three times .*seen 1/, /连三次/);
  });
});

describe('lesson 18: refused handshakes', () => {
  it('the step check sees 101 then 401 for one ticket, and 403 for origin=check from Origin: null', async () => {
    const session = newSessionId();
    const ticket = await fetchTicket(session);
    assert.equal(await connect(session, `ws?ticket=${ticket}`), 101);
    assert.equal(await connect(session, `ws?ticket=${ticket}`), 401);
    const wire = await facts(session, 2);
    assertFails(lesson18.traffic!['ws-refused']!(wire), /origin=check/, /origin=check/);
    assert.equal(await connect(session, 'ws?origin=check'), 403);
    assert.equal(lesson18.traffic!['ws-refused']!(await facts(session, 3)), true);
  });
});
