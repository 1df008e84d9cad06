/**
 * Turns any value the learner logs into a `Preview`: a small, plain tree that survives
 * `postMessage` and can be drawn as text. Runs inside the runner frame.
 *
 * Bounded on purpose: a `console.log(document)` or a megabyte string must not stall the frame
 * or the lesson page. Depth, items per container, string length and total nodes are capped;
 * what is cut is counted so the console can say so.
 */
import type { Preview } from './protocol.ts';

/** How far into nested objects the preview goes. */
const MAX_DEPTH = 4;
/** Items kept per array, object, Map or Set. */
const MAX_ITEMS = 100;
/** Characters kept per string. */
const MAX_STRING = 10_000;
/** Bytes shown of an ArrayBuffer or typed array. */
const MAX_BYTES = 64;
/** Nodes per logged value, all levels together. */
const MAX_NODES = 2_000;

interface Budget {
  nodes: number;
  seen: WeakSet<object>;
}

/** The preview of one logged value. */
export function preview(value: unknown): Preview {
  return walk(value, 0, { nodes: 0, seen: new WeakSet() });
}

function walk(value: unknown, depth: number, budget: Budget): Preview {
  budget.nodes += 1;
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING
        ? { k: 'str', v: value.slice(0, MAX_STRING), cut: value.length - MAX_STRING }
        : { k: 'str', v: value };
    case 'number':
      return { k: 'num', v: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { k: 'bigint', v: `${value}n` };
    case 'boolean':
      return { k: 'bool', v: value };
    case 'undefined':
      return { k: 'undef' };
    case 'symbol':
      return { k: 'sym', v: value.toString() };
    case 'function':
      return {
        k: 'fn',
        name: value.name,
        cls: /^class[\s{]/.test(Function.prototype.toString.call(value)),
      };
  }
  if (value === null) return { k: 'null' };
  const obj = value as object;
  if (budget.seen.has(obj)) return { k: 'cycle' };
  const cls = className(obj);
  try {
    // Leaves: no children to walk, so no depth or cycle bookkeeping.
    if (obj instanceof Date)
      return { k: 'date', v: Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString() };
    if (obj instanceof RegExp) return { k: 're', v: String(obj) };
    if (obj instanceof Error) {
      return { k: 'err', name: obj.name, message: obj.message, stack: String(obj.stack ?? '') };
    }
    if (typeof Node !== 'undefined' && obj instanceof Node) return nodePreview(obj);
    if (obj instanceof ArrayBuffer) return bytesPreview('ArrayBuffer', new Uint8Array(obj));
    if (
      obj instanceof Uint8Array ||
      obj instanceof Uint8ClampedArray ||
      obj instanceof Int8Array ||
      obj instanceof DataView
    ) {
      return bytesPreview(cls, new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength));
    }
    if (obj instanceof Promise) return { k: 'opaque', cls: 'Promise' };
    if (obj instanceof WeakMap || obj instanceof WeakSet) return { k: 'opaque', cls };

    if (depth >= MAX_DEPTH || budget.nodes > MAX_NODES) return { k: 'deep', cls };
    budget.seen.add(obj);
    try {
      if (Array.isArray(obj) || ArrayBuffer.isView(obj)) {
        const list = obj as ArrayLike<unknown>;
        const items: Preview[] = [];
        for (let i = 0; i < Math.min(list.length, MAX_ITEMS); i++)
          items.push(walk(list[i], depth + 1, budget));
        return { k: 'arr', cls, n: list.length, items };
      }
      if (obj instanceof Map) {
        const entries: [Preview, Preview][] = [];
        for (const [key, v] of obj) {
          if (entries.length >= MAX_ITEMS) break;
          entries.push([walk(key, depth + 1, budget), walk(v, depth + 1, budget)]);
        }
        return { k: 'map', n: obj.size, entries };
      }
      if (obj instanceof Set) {
        const items: Preview[] = [];
        for (const v of obj) {
          if (items.length >= MAX_ITEMS) break;
          items.push(walk(v, depth + 1, budget));
        }
        return { k: 'set', n: obj.size, items };
      }
      if (typeof Event !== 'undefined' && obj instanceof Event) return eventPreview(obj, cls, depth, budget);
      return objectPreview(obj, cls, depth, budget);
    } finally {
      budget.seen.delete(obj);
    }
  } catch {
    // A getter that throws, a revoked Proxy, a cross-origin window: say what it is, no more.
    return { k: 'opaque', cls };
  }
}

function objectPreview(obj: object, cls: string, depth: number, budget: Budget): Preview {
  const keys = Object.keys(obj);
  const entries: [string, Preview][] = [];
  for (const key of keys.slice(0, MAX_ITEMS)) {
    let v: unknown;
    try {
      v = (obj as Record<string, unknown>)[key];
    } catch (err) {
      v = err;
    }
    entries.push([key, walk(v, depth + 1, budget)]);
  }
  return { k: 'obj', cls, entries, more: Math.max(0, keys.length - MAX_ITEMS) };
}

/** The fields of an event worth seeing while learning: what arrived, and why a socket closed. */
const EVENT_FIELDS = [
  'type',
  'data',
  'lastEventId',
  'origin',
  'code',
  'reason',
  'wasClean',
  'message',
] as const;

function eventPreview(event: Event, cls: string, depth: number, budget: Budget): Preview {
  const entries: [string, Preview][] = [];
  const record = event as unknown as Record<string, unknown>;
  for (const field of EVENT_FIELDS) {
    if (field in event) entries.push([field, walk(record[field], depth + 1, budget)]);
  }
  const target = event.target as { url?: unknown } | null;
  if (target && typeof target.url === 'string')
    entries.push(['target.url', walk(target.url, depth + 1, budget)]);
  return { k: 'obj', cls, entries, more: 0 };
}

function nodePreview(node: Node): Preview {
  if (node instanceof Element) {
    let tag = `<${node.localName}`;
    for (const name of ['id', 'class', 'name', 'type', 'href', 'src']) {
      const v = node.getAttribute(name);
      if (v !== null) tag += ` ${name}="${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
    }
    tag += '>';
    const text = (node.textContent ?? '').trim().replace(/\s+/g, ' ');
    return text
      ? { k: 'node', tag, text: text.length > 80 ? `${text.slice(0, 80)}…` : text }
      : { k: 'node', tag };
  }
  if (node instanceof Document) return { k: 'node', tag: '#document' };
  if (node instanceof Text) return { k: 'node', tag: '#text', text: (node.data ?? '').slice(0, 80) };
  return { k: 'node', tag: node.nodeName };
}

function bytesPreview(cls: string, bytes: Uint8Array): Preview {
  const shown = bytes.subarray(0, MAX_BYTES);
  const hex = Array.from(shown, (b) => b.toString(16).padStart(2, '0')).join(' ');
  return { k: 'bytes', cls, n: bytes.length, hex };
}

/** The name a developer would recognise: the constructor's, else `Object`. */
function className(obj: object): string {
  try {
    const proto = Object.getPrototypeOf(obj) as { constructor?: { name?: unknown } } | null;
    if (proto === null) return 'Object';
    const name = proto.constructor?.name;
    return typeof name === 'string' && name ? name : 'Object';
  } catch {
    return 'Object';
  }
}
