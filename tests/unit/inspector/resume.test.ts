/**
 * A reconnecting EventSource's Last-Event-ID across connections: the same id on two
 * connections, and the events that crossed the wire but were never dispatched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureModel } from '../../../src/playground/inspector/model.ts';
import { resumeNotes, resumeOf } from '../../../src/playground/inspector/resume.ts';
import { inspectorStrings } from '../../../src/playground/inspector/strings.ts';
import { ConnectionDissector } from '../../../src/wire/index.ts';
import { chunk, RecordWriter, SSE_HEAD, SSE_REQUEST } from './capture.ts';

const tick = (id: number) => chunk(`id: ${id}\nevent: tick\ndata: {"n":${id}}\n\n`);
const resumed = (id: number) => SSE_REQUEST.replace('\r\n\r\n', `\r\nLast-Event-ID: ${id}\r\n\r\n`);

/** #1 carries ticks 1–3 and is cut; #2 asks to resume after `asked` (no header when undefined). */
function twoStreams(asked: number | undefined) {
  const w = new RecordWriter()
    .open(1, 1_000)
    .data(1, 1_100, 'in', SSE_REQUEST)
    .data(1, 1_200, 'out', SSE_HEAD)
    .data(1, 1_300, 'out', tick(1))
    .data(1, 1_400, 'out', tick(2) + tick(3))
    .end(1, 1_500, 'out');
  w.records.push({
    seq: 7,
    kind: 'close',
    conn: 1,
    t: 1_510,
    how: 'fin',
    by: 'server',
    cause: 'destroy',
    unseen: true,
  });
  const more = new RecordWriter(7)
    .open(2, 3_000)
    .data(2, 3_100, 'in', asked === undefined ? SSE_REQUEST : resumed(asked))
    .data(2, 3_200, 'out', SSE_HEAD)
    .data(2, 3_300, 'out', tick(3));
  const m = new CaptureModel({ createDissector: () => new ConnectionDissector() });
  m.apply({ type: 'records', records: [...w.records, ...more.records] });
  return { m, first: m.connections[0]!, second: m.connections[1]! };
}

describe('EventSource resuming across connections', () => {
  it('finds the same id on two connections and the events the browser never dispatched', () => {
    const { m, first, second } = twoStreams(2);
    const r = resumeOf(m.connections, second);
    assert.ok(r);
    assert.equal(r.prev, first);
    assert.equal(r.id, '2');
    assert.deepEqual(r.discarded, ['3']);
    const fromFirst = resumeOf(m.connections, first);
    assert.ok(fromFirst?.prev === first && fromFirst.next === second, 'seen from the first connection too');
    const en = inspectorStrings('en');
    const zh = inspectorStrings('zh');
    assert.match(
      resumeNotes(r, second, en).join(' '),
      /Last-Event-ID: 2 .*#1.*never dispatched by the browser: 3/s,
    );
    assert.match(
      resumeNotes(r, first, en).join(' '),
      /#2, resumed with Last-Event-ID: 2.*never dispatched.*: 3/s,
    );
    assert.match(resumeNotes(r, first, zh).join(' '), /#2.*Last-Event-ID: 2.*没有派发：3/s);
  });

  it('a reconnect with no Last-Event-ID after a cut stream with ids names them all, and says it may be a new EventSource', () => {
    const { m, first, second } = twoStreams(undefined);
    const r = resumeOf(m.connections, second);
    assert.ok(r);
    assert.equal(r.prev, first);
    assert.equal(r.id, '');
    assert.deepEqual(r.discarded, ['1', '2', '3']);
    const en = inspectorStrings('en');
    const zh = inspectorStrings('zh');
    assert.match(
      resumeNotes(r, second, en).join(' '),
      /No Last-Event-ID.*#1.*: 1, 2, 3\. Either .*new EventSource/s,
    );
    assert.match(resumeNotes(r, first, en).join(' '), /#2, carried no Last-Event-ID.*\(1, 2, 3\)/s);
    assert.match(
      resumeNotes(r, second, zh).join(' '),
      /没有 Last-Event-ID.*#1.*1, 2, 3.*新建的 EventSource/s,
    );
    assert.match(resumeNotes(r, first, zh).join(' '), /#2 没有带 Last-Event-ID.*（1, 2, 3）/s);
  });

  it('a resume after the last event on the wire discards nothing', () => {
    const { m, second } = twoStreams(3);
    assert.deepEqual(resumeOf(m.connections, second)?.discarded, []);
  });
});
