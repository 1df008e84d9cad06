/**
 * The connections learner code opens in the runner: `EventSource`, `WebSocket`, `XMLHttpRequest`
 * and `fetch` are wrapped so the runner knows which are still open — for the run status
 * ("Your code finished; 1 connection still open") and so Stop can close each one visibly and say
 * which it closed.
 *
 * Open means, for each kind:
 * - EventSource: not CLOSED. While it waits to reconnect (CONNECTING after an error) it is still
 *   open: it will connect again by itself (WHATWG HTML, "reestablish the connection").
 * - WebSocket: CONNECTING, OPEN or CLOSING, until its close event.
 * - XMLHttpRequest: from `send()` until it is DONE (or aborted back to UNSENT).
 * - fetch: until the response head arrives (or it fails), and after that while the code reads its
 *   body (`res.text()`, `res.json()`, a reader…) until the body has ended. Chromium adds the
 *   Resource Timing entry of a fetch when its body has been read to the end, cancelled or aborted
 *   (measured in Chromium 156; a body nobody reads gets none), so that entry is the end. A body
 *   the code never touches does not count: nothing in the page can tell whether it still flows.
 */
import type { ClosedConnection } from './protocol.ts';

interface Tracked {
  kind: ClosedConnection['kind'];
  url: string;
  /** Whether it is still open, as above. */
  live(): boolean;
  close(): void;
}

/** A fetch: when it was called (Resource Timing's `startTime` clock) and how far it got. */
interface FetchState {
  url: string;
  startedAt: number;
  response: Response | null;
  pending: boolean;
  /** Its Resource Timing entry arrived: the body ended. */
  ended: boolean;
}

/** At most this many connections are remembered; the closed ones are forgotten first. */
const MAX_TRACKED = 200;

export interface LearnerConnections {
  /** How many connections the code opened are open now. */
  openCount(): number;
  /** Closes every open one (Stop) and says which; pending fetches are aborted. */
  closeAll(): ClosedConnection[];
  /** WebSockets not yet closed: Stop waits a moment for their close handshakes. */
  readonly sockets: ReadonlySet<WebSocket>;
}

/** Wraps the connection constructors of `win` (the runner's window). */
export function trackConnections(win: Window & typeof globalThis): LearnerConnections {
  let tracked: Tracked[] = [];
  const remember = (connection: Tracked) => {
    // A poll every 100 ms for an hour must not grow this list without end.
    if (tracked.length >= MAX_TRACKED) tracked = tracked.filter((c) => c.live());
    tracked.push(connection);
  };
  const sockets = new Set<WebSocket>();
  const fetchAbort = new AbortController();
  const fetches: FetchState[] = [];

  const w = win as unknown as Record<string, unknown>;
  w.EventSource = wrapConstructor(win.EventSource, (es: EventSource) =>
    remember({
      kind: 'EventSource',
      url: es.url,
      live: () => es.readyState !== win.EventSource.CLOSED,
      close: () => es.close(),
    }),
  );
  w.WebSocket = wrapConstructor(win.WebSocket, (ws: WebSocket) => {
    sockets.add(ws);
    ws.addEventListener('close', () => sockets.delete(ws));
    remember({
      kind: 'WebSocket',
      url: ws.url,
      live: () => sockets.has(ws),
      // 1000, normal closure (RFC 6455 §7.4.1): the close handshake shows in the inspector.
      close: () => ws.close(1000, 'Stop'),
    });
  });

  const XHR = win.XMLHttpRequest;
  const xhrs = new WeakMap<XMLHttpRequest, { tracked: Tracked; sent: boolean }>();
  const nativeOpen = XHR.prototype.open;
  const nativeSend = XHR.prototype.send;
  XHR.prototype.open = function (this: XMLHttpRequest, ...args: unknown[]) {
    const url = new URL(String(args[1] ?? ''), win.document.baseURI).href;
    const known = xhrs.get(this);
    if (known) {
      // Opened again for another request: the same object, one entry.
      known.tracked.url = url;
      known.sent = false;
    } else {
      const state = {
        sent: false,
        tracked: {
          kind: 'XMLHttpRequest' as const,
          url,
          live: () => state.sent && this.readyState !== XHR.UNSENT && this.readyState !== XHR.DONE,
          close: () => this.abort(),
        },
      };
      xhrs.set(this, state);
      remember(state.tracked);
    }
    return (nativeOpen as (...a: unknown[]) => void).apply(this, args);
  } as typeof XHR.prototype.open;
  XHR.prototype.send = function (this: XMLHttpRequest, ...args: unknown[]) {
    const state = xhrs.get(this);
    if (state) state.sent = true;
    return (nativeSend as (...a: unknown[]) => void).apply(this, args);
  } as typeof XHR.prototype.send;

  // The end of a fetch's body: its Resource Timing entry, matched by URL to the oldest fetch of
  // that URL started at or before it that has not ended yet.
  try {
    new win.PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
        if (entry.initiatorType !== 'fetch') continue;
        const state = fetches.find(
          (f) => !f.ended && f.url === entry.name && f.startedAt <= entry.startTime + 1,
        );
        if (state) state.ended = true;
      }
    }).observe({ type: 'resource' });
  } catch {
    // No Resource Timing: a fetch counts as open until its response head only.
  }

  const nativeFetch = win.fetch.bind(win);
  win.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const own = init?.signal ?? (input instanceof win.Request ? input.signal : undefined);
    // Aborted all at once on Stop, through `fetchAbort`.
    const signal = own ? AbortSignal.any([own, fetchAbort.signal]) : fetchAbort.signal;
    const url = input instanceof win.Request ? input.url : new URL(String(input), win.document.baseURI).href;
    const state: FetchState = {
      url,
      startedAt: win.performance.now(),
      response: null,
      pending: true,
      ended: false,
    };
    if (fetches.length >= MAX_TRACKED) fetches.splice(0, fetches.length - MAX_TRACKED + 1);
    fetches.push(state);
    const reading = () => {
      const r = state.response;
      return r !== null && !state.ended && (r.bodyUsed || r.body?.locked === true);
    };
    remember({ kind: 'fetch', url, live: () => state.pending || reading(), close: () => {} });
    const answer = nativeFetch(input, { ...init, signal });
    answer.then(
      (response) => {
        state.response = response;
        state.pending = false;
      },
      () => {
        state.pending = false;
      },
    );
    return answer;
  };

  return {
    openCount: () => tracked.filter((c) => c.live()).length,
    closeAll() {
      const closed: ClosedConnection[] = [];
      for (const c of tracked) {
        try {
          if (!c.live()) continue;
          c.close();
          closed.push({ kind: c.kind, url: c.url });
        } catch {
          // Closing is best effort: removing the frame closes everything anyway.
        }
      }
      fetchAbort.abort(new DOMException('Stopped', 'AbortError'));
      return closed;
    },
    sockets,
  };
}

/** A constructor that behaves as `ctor` and tells `seen` about every instance made. */
function wrapConstructor<T extends object>(ctor: T, seen: (instance: never) => void): T {
  return new Proxy(ctor, {
    construct(target, args, newTarget) {
      const instance = Reflect.construct(
        target as unknown as new (
          ...a: unknown[]
        ) => object,
        args,
        newTarget,
      );
      seen(instance as never);
      return instance;
    },
  });
}
