/**
 * A light inspector client for tests that push megabytes through a session: it keeps every record
 * except the data's bytes (it only counts them), so a test that measures the server's memory in
 * this same process does not measure its own copy of the capture.
 */
import { WebSocket } from 'ws';
import type { WireRecord } from '../server/capture-harness.ts';
import { until } from '../server/capture-harness.ts';

export class InspectorNotes {
  readonly ws: WebSocket;
  /** Records in order, data records without `b64`. */
  readonly records: WireRecord[] = [];
  /** Captured data bytes received, by `conn dir`. */
  readonly dataBytes = new Map<string, number>();
  /** Message types in order (`hello`, `dropped`, `records`, `live`). */
  readonly types: string[] = [];
  closeCode = 0;
  closed = false;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (frame) => {
      const m = JSON.parse(String(frame)) as { type: string; records?: WireRecord[] };
      this.types.push(m.type);
      for (const r of m.type === 'records' ? (m.records ?? []) : []) {
        if (r.kind === 'data') {
          const key = `${r.conn} ${r.dir}`;
          this.dataBytes.set(key, (this.dataBytes.get(key) ?? 0) + Buffer.byteLength(r.b64 ?? '', 'base64'));
          delete r.b64;
        }
        this.records.push(r);
      }
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.closed = true;
    });
    ws.on('error', () => {});
  }

  /** Opens `/inspect/<session>` and waits for the channel to be live. */
  static async open(port: number, session: string): Promise<InspectorNotes> {
    const notes = new InspectorNotes(new WebSocket(`ws://127.0.0.1:${port}/inspect/${session}`));
    await until(() => notes.types.includes('live') || notes.closed, 'the inspector to be live', 10_000);
    return notes;
  }

  /** The notes the lab made, in order. */
  notes(): WireRecord[] {
    return this.records.filter((r) => r.kind === 'note');
  }

  close(): void {
    this.ws.close();
  }
}
