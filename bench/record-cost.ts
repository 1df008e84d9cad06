/**
 * What one captured record costs in memory, as the store keeps it: 100,000 small data records
 * (an SSE message's size) appended to 300 sessions' logs, then heap, external memory and RSS
 * measured after full collections, against the same process before. Run with
 * `node --expose-gc bench/record-cost.ts`; the figure behind `RECORD_COST` in
 * server/capture/store.ts.
 */
import { CaptureStore } from '../server/capture/store.ts';

const RECORDS = 100_000;
const SESSIONS = 300;
const PAYLOAD = 60;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function settle(): NodeJS.MemoryUsage {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage();
}

const store = new CaptureStore({
  bytesPerSession: 256 * 1024 * 1024,
  bytesTotal: 8 * 1024 * 1024 * 1024,
  maxSessions: SESSIONS,
  idleMs: 3_600_000,
});
const logs = Array.from({ length: SESSIONS }, (_, i) => store.log(`session-${i}`));
const chunk = Buffer.alloc(PAYLOAD * 4, 'x'); // a view of bigger memory: copied, as a read would be

const before = settle();
for (let i = 0; i < RECORDS; i++) {
  const log = logs[i % SESSIONS]!;
  store.appendData(log, 1, i, 'in', i * PAYLOAD, chunk, 0, PAYLOAD);
}
const after = settle();

const per = (field: keyof NodeJS.MemoryUsage) => (after[field] - before[field]) / RECORDS;
const charged = store.total / RECORDS - PAYLOAD;
console.log(
  JSON.stringify(
    {
      records: RECORDS,
      payload: PAYLOAD,
      heapPerRecord: Math.round(per('heapUsed')),
      externalPerRecord: Math.round(per('external')),
      rssPerRecord: Math.round(per('rss')),
      chargedBeyondPayload: Math.round(charged),
    },
    null,
    2,
  ),
);
if (store.stats().records !== RECORDS) throw new Error('records were dropped');
