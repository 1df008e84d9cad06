/**
 * The JavaScript that runs inside each sandbox before the learner's code: it builds the API the
 * learner sees (`onRequest`, `req`, `res`, timers, `feed`, `console`) on top of a few host
 * functions that take and return only strings and numbers. It runs in the guest, so whatever
 * the learner does to it only breaks their own sandbox; the host checks every argument again.
 *
 * Ownership: a timer, a feed subscription or a pending read started while a request is being
 * answered belongs to that request and ends with it (the response ended, or the client left), so
 * a forgotten `setInterval` cannot outlive the connection it served. Those started by top-level
 * code belong to the sandbox and end when it is disposed.
 *
 * Bytes: \`res.write\`, \`res.end\` and \`ws.send\` take a Uint8Array (any typed array, DataView or
 * ArrayBuffer) as well as text; the guest hands the host a fresh ArrayBuffer holding exactly those
 * bytes, and the host copies them out (runtime.ts). Bytes coming in (\`req.bodyBytes\`, a binary
 * WebSocket message) arrive as an ArrayBuffer of the guest's own, wrapped here in a Uint8Array.
 *
 * The function is evaluated as a script whose value is a function of the host object; it returns
 * the entry points the worker calls (runtime.ts).
 */
export const PRELUDE = `(function (host) {
  'use strict';
  // Taken now: the learner may replace the globals, and should break only their own code by it.
  const parse = JSON.parse;
  const freeze = Object.freeze;
  const isView = ArrayBuffer.isView;
  const Bytes = Uint8Array;
  // slice() always makes a new ArrayBuffer: the host gets exactly these bytes, never a view's neighbours.
  const sliceBuffer = Function.prototype.call.bind(ArrayBuffer.prototype.slice);
  const isBuffer = (v) => {
    try {
      sliceBuffer(v, 0, 0);
      return true;
    } catch {
      return false;
    }
  };
  const owned = new Map(); // owner (request id, 0 = the sandbox) -> { timers, subs, onClose }
  const timers = new Map(); // timer id -> { fn, args, owner, repeat }
  const subs = new Map(); // subscription id -> { fn, owner }
  const reads = new Map(); // call id -> { resolve, owner }
  let handler = null;
  let socketHandlers = null;
  const sockets = new Map(); // connection id -> the ws object the handlers get
  let current = 0;
  let nextId = 1;

  const check = (problem) => {
    if (problem) throw new Error(problem);
  };
  const holdings = (owner) => {
    let h = owned.get(owner);
    if (!h) {
      h = { timers: new Set(), subs: new Set(), onClose: [] };
      owned.set(owner, h);
    }
    return h;
  };
  /** What write/end/send carry: text as it is, bytes as an ArrayBuffer of their own, anything else as String(v). */
  const payload = (v) => {
    if (typeof v === 'string') return v;
    if (v === undefined) return '';
    if (isView(v)) return sliceBuffer(v.buffer, v.byteOffset, v.byteOffset + v.byteLength);
    if (v !== null && typeof v === 'object' && isBuffer(v)) return sliceBuffer(v, 0);
    return String(v);
  };
  const show = (v) => {
    if (typeof v === 'string') return v;
    try {
      const s = JSON.stringify(v);
      return s === undefined ? String(v) : s;
    } catch {
      return String(v);
    }
  };
  const where = (e) => (e && typeof e.stack === 'string' ? e.stack : '');
  const report = (owner, e) => {
    const name = e && e.name ? String(e.name) : 'Error';
    const message = e && e.message !== undefined ? String(e.message) : String(e);
    host.fail(owner, name, message, where(e));
  };
  const guarded = (owner, fn, args) => {
    try {
      const r = fn(...args);
      if (r && typeof r.then === 'function') r.then(undefined, (e) => report(owner, e));
    } catch (e) {
      report(owner, e);
    }
  };
  const release = (owner) => {
    const h = owned.get(owner);
    if (!h) return;
    owned.delete(owner);
    for (const id of h.timers) {
      timers.delete(id);
      host.clearTimer(id);
    }
    for (const id of h.subs) subs.delete(id);
    if (h.subs.size > 0 && subs.size === 0) host.subscribe(0);
    for (const [id, r] of reads) if (r.owner === owner) reads.delete(id);
    for (const fn of h.onClose) guarded(0, fn, []);
  };

  const addTimer = (fn, ms, repeat, args) => {
    if (typeof fn !== 'function') throw new TypeError('setTimeout and setInterval take a function');
    const id = nextId++;
    check(host.setTimer(id, Number(ms) || 0, repeat ? 1 : 0));
    timers.set(id, { fn, args, owner: current, repeat });
    holdings(current).timers.add(id);
    return id;
  };
  const clearTimer = (id) => {
    const t = timers.get(id);
    if (!t) return;
    timers.delete(id);
    owned.get(t.owner)?.timers.delete(id);
    host.clearTimer(id);
  };
  globalThis.setTimeout = (fn, ms, ...args) => addTimer(fn, ms, false, args);
  globalThis.setInterval = (fn, ms, ...args) => addTimer(fn, ms, true, args);
  globalThis.clearTimeout = clearTimer;
  globalThis.clearInterval = clearTimer;

  const log = (level) => (...args) => host.log(level, args.map(show).join(' '));
  globalThis.console = freeze({
    log: log('log'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  });

  globalThis.feed = freeze({
    /** Appends a message to the session's feed; every subscriber (and reader) gets it with its id. */
    append(data) {
      const json = JSON.stringify(data === undefined ? null : data);
      check(host.append(json));
    },
    /** The kept messages after id since: a promise of { messages, missed }. */
    read(since = 0) {
      const call = nextId++;
      return new Promise((resolve) => {
        reads.set(call, { resolve, owner: current });
        check(host.read(call, Number(since) || 0));
      });
    },
    /** Calls fn with each new message until the returned function is called (or the request ends). */
    subscribe(fn) {
      if (typeof fn !== 'function') throw new TypeError('feed.subscribe takes a function');
      const id = nextId++;
      if (subs.size === 0) host.subscribe(1);
      subs.set(id, { fn, owner: current });
      holdings(current).subs.add(id);
      return () => {
        const s = subs.get(id);
        if (!s) return;
        subs.delete(id);
        owned.get(s.owner)?.subs.delete(id);
        if (subs.size === 0) host.subscribe(0);
      };
    },
  });

  globalThis.onRequest = (fn) => {
    if (typeof fn !== 'function') throw new TypeError('onRequest takes a function: onRequest((req, res) => { … })');
    handler = fn;
  };

  globalThis.onWebSocket = (handlers) => {
    if (!handlers || typeof handlers !== 'object')
      throw new TypeError('onWebSocket takes { open(ws, req), message(ws, data), close(ws, code, reason) }');
    socketHandlers = handlers;
  };
  const socketHandler = (name, rid, args) => {
    const fn = socketHandlers && socketHandlers[name];
    if (typeof fn === 'function') guarded(rid, fn, args);
  };

  const response = (rid) => {
    let ended = false;
    const res = {
      get finished() {
        return ended;
      },
      set status(n) {
        check(host.status(rid, Number(n)));
      },
      get status() {
        return host.getStatus(rid);
      },
      setStatus(n) {
        check(host.status(rid, Number(n)));
        return res;
      },
      setHeader(name, value) {
        check(host.header(rid, String(name), String(value)));
        return res;
      },
      write(data) {
        const p = payload(data);
        check(typeof p === 'string' ? host.write(rid, p) : host.writeBytes(rid, p));
        return res;
      },
      flush() {
        check(host.flush(rid));
        return res;
      },
      end(data) {
        if (ended) return;
        const p = payload(data);
        check(typeof p === 'string' ? host.end(rid, p) : host.endBytes(rid, p));
        ended = true;
      },
      onClose(fn) {
        if (typeof fn !== 'function') throw new TypeError('res.onClose takes a function');
        holdings(rid).onClose.push(fn);
      },
    };
    return freeze(res);
  };

  // bodyBytes: the body exactly as it came (a copy of the guest's own), for what is not UTF-8 text.
  const request = (r, bytes) =>
    freeze({
      method: r.method,
      path: r.path,
      query: freeze(r.query),
      headers: freeze(r.headers),
      body: r.body,
      bodyBytes: bytes === undefined ? new Bytes(0) : new Bytes(bytes),
      lastEventId: r.lastEventId,
    });

  return freeze({
    wsOpen(rid, json) {
      current = rid;
      holdings(rid);
      if (!socketHandlers) {
        host.fail(rid, 'Error', 'Your code registered no WebSocket handler: call onWebSocket({ open, message, close }).', '');
        return;
      }
      const ws = freeze({
        id: rid,
        send(data) {
          const p = payload(data);
          check(typeof p === 'string' ? host.wsSend(rid, p) : host.wsSendBytes(rid, p));
        },
        close(code = 1000, reason = '') {
          check(host.wsClose(rid, Number(code), String(reason)));
        },
      });
      sockets.set(rid, ws);
      socketHandler('open', rid, [ws, request(parse(json))]);
    },
    wsMessage(rid, data) {
      const ws = sockets.get(rid);
      if (!ws) return;
      current = rid;
      // A binary message arrives as an ArrayBuffer: the handler gets it as a Uint8Array.
      socketHandler('message', rid, [ws, typeof data === 'string' ? data : new Bytes(data)]);
    },
    wsClosed(rid, code, reason) {
      const ws = sockets.get(rid);
      current = 0;
      if (ws) {
        sockets.delete(rid);
        socketHandler('close', 0, [ws, code, reason]);
      }
      release(rid);
    },
    request(rid, json, bytes) {
      current = rid;
      holdings(rid);
      const req = request(parse(json), bytes);
      if (!handler) {
        host.fail(rid, 'Error', 'Your code registered no request handler: call onRequest((req, res) => { … }).', '');
        return;
      }
      guarded(rid, handler, [req, response(rid)]);
    },
    closed(rid) {
      current = 0;
      release(rid);
    },
    fire(id) {
      const t = timers.get(id);
      if (!t) return;
      current = t.owner;
      if (!t.repeat) {
        timers.delete(id);
        owned.get(t.owner)?.timers.delete(id);
      }
      guarded(t.owner, t.fn, t.args);
    },
    feed(json) {
      const message = parse(json);
      for (const s of [...subs.values()]) {
        current = s.owner;
        guarded(s.owner, s.fn, [message]);
      }
    },
    read(call, json) {
      const r = reads.get(call);
      if (!r) return;
      reads.delete(call);
      current = r.owner;
      r.resolve(parse(json));
    },
  });
})`;
