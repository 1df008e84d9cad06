/**
 * Telling a feed's subscribers, a slice at a time. A class's room feed has a subscriber per
 * stream, WebSocket and held poll of every learner: 300 learners are about 900, and each call
 * writes to a socket (and the capture records it). Told all at once, one push held the event loop
 * for 15 ms on average and up to 180 ms under load (measured in the bench's class), and nothing
 * else was answered meanwhile: a Run, a page, the teacher's next message.
 *
 * So a message is handed to at most `slice` subscribers at once, and to fewer when they take more
 * than `budgetMs` together; the rest follow in later turns of the event loop (`setImmediate`),
 * after whatever I/O is waiting. Each subscriber still gets every
 * message, in order: messages are handed out first in, first out, and a message is not begun
 * before the one before it is done — also when a subscriber sends one from inside its call. A
 * subscriber gone before its turn (its stream closed, its poll answered) is skipped; whoever it
 * was reads the message from the feed's kept messages, as any reader that subscribes after it was
 * appended does. A subscriber that throws is reported and the others are told all the same.
 */

export interface FanOut<M> {
  /** Hands `message` to every one of `listeners` still subscribed when its turn comes. */
  send(message: M, listeners: Iterable<(message: M) => void>): void;
  /** Messages not yet handed to all of their subscribers. */
  readonly pending: number;
  /** Drops what is pending. */
  close(): void;
}

interface Job<M> {
  readonly message: M;
  readonly listeners: Array<(message: M) => void>;
  next: number;
}

/** How often (in calls) a slice looks at the clock: reading it costs more than a cheap call. */
const CLOCK_EVERY = 8;

export interface FanOutOptions {
  /** Most ms of calls a turn, read every CLOCK_EVERY calls (0: no limit but `slice`). */
  readonly budgetMs?: number;
  /** The clock in ms (tests give their own). */
  readonly now?: () => number;
  /** Hears what a subscriber threw (default: the server's log). */
  readonly onError?: (err: unknown) => void;
}

/**
 * Returns a fan-out handing each message to at most `slice` subscribers a turn (0: all at once,
 * as before), or fewer once `budgetMs` is spent; `isSubscribed` says whether a subscriber is still
 * there when its turn comes.
 */
export function createFanOut<M>(
  slice: number,
  isSubscribed: (listener: (message: M) => void) => boolean,
  options: FanOutOptions = {},
): FanOut<M> {
  const budgetMs = slice > 0 ? (options.budgetMs ?? 0) : 0;
  const now = options.now ?? (() => performance.now());
  const onError = options.onError ?? ((err: unknown) => console.error('A feed subscriber failed:', err));
  const jobs: Job<M>[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  /** True while subscribers are being told: a message sent meanwhile waits its turn. */
  let delivering = false;

  /** Hands out up to `slice` calls (all, with 0), oldest message first. */
  const run = (): void => {
    let budget = slice > 0 ? slice : Number.POSITIVE_INFINITY;
    const start = budgetMs > 0 ? now() : 0;
    let calls = 0;
    while (jobs.length > 0 && budget > 0) {
      const job = jobs[0]!;
      const end = Math.min(job.listeners.length, job.next + budget);
      while (job.next < end && jobs[0] === job && budget > 0) {
        const listener = job.listeners[job.next]!;
        job.next += 1;
        budget -= 1;
        if (!isSubscribed(listener)) continue;
        try {
          listener(job.message);
        } catch (err) {
          onError(err);
        }
        calls += 1;
        if (budgetMs > 0 && calls % CLOCK_EVERY === 0 && now() - start >= budgetMs) budget = 0;
      }
      if (jobs[0] !== job) break; // closed by a subscriber
      if (job.next >= job.listeners.length) jobs.shift();
    }
  };
  const turn = (): void => {
    scheduled = null;
    delivering = true;
    try {
      run();
    } finally {
      delivering = false;
      if (jobs.length > 0 && scheduled === null) scheduled = setImmediate(turn);
    }
  };

  return {
    send(message, listeners) {
      jobs.push({ message, listeners: [...listeners], next: 0 });
      // Nothing waiting before it: the first slice goes now (a small feed's whole message).
      if (jobs.length === 1 && !delivering) turn();
    },
    get pending() {
      return jobs.length;
    },
    close() {
      jobs.length = 0;
      if (scheduled !== null) clearImmediate(scheduled);
      scheduled = null;
    },
  };
}
