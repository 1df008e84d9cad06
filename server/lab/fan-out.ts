/**
 * Telling a feed's subscribers, a slice at a time. A class's room feed has a subscriber per
 * stream, WebSocket and held poll of every learner: 300 learners are about 900, and each call
 * writes to a socket (and the capture records it). Told all at once, one push held the event loop
 * for 15 ms on average and up to 180 ms under load (measured in the bench's class), and nothing
 * else was answered meanwhile: a Run, a page, the teacher's next message.
 *
 * So a message is handed to at most `slice` subscribers at once; the rest follow in later turns of
 * the event loop (`setImmediate`), after whatever I/O is waiting. Each subscriber still gets every
 * message, in order: messages are handed out first in, first out, and a message is not begun
 * before the one before it is done. A subscriber gone before its turn (its stream closed, its
 * poll answered) is skipped; whoever it was reads the message from the feed's kept messages, as
 * any reader that subscribes after it was appended does.
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

/**
 * Returns a fan-out handing each message to at most `slice` subscribers a turn (0: all at once,
 * as before); `isSubscribed` says whether a subscriber is still there when its turn comes.
 */
export function createFanOut<M>(
  slice: number,
  isSubscribed: (listener: (message: M) => void) => boolean,
): FanOut<M> {
  const jobs: Job<M>[] = [];
  let scheduled: NodeJS.Immediate | null = null;

  /** Hands out up to `slice` calls, oldest message first; returns whether work is left. */
  const run = (): boolean => {
    let budget = slice;
    while (jobs.length > 0 && budget > 0) {
      const job = jobs[0]!;
      const end = Math.min(job.listeners.length, job.next + budget);
      while (job.next < end) {
        const listener = job.listeners[job.next]!;
        job.next += 1;
        budget -= 1;
        if (isSubscribed(listener)) listener(job.message);
      }
      if (job.next >= job.listeners.length) jobs.shift();
    }
    return jobs.length > 0;
  };
  const turn = (): void => {
    scheduled = null;
    if (run()) scheduled = setImmediate(turn);
  };

  return {
    send(message, listeners) {
      const list = [...listeners];
      if (slice <= 0 || (jobs.length === 0 && list.length <= slice)) {
        for (const listener of list) if (isSubscribed(listener)) listener(message);
        return;
      }
      jobs.push({ message, listeners: list, next: 0 });
      // Nothing waiting before it: the first slice goes now, as a small feed's whole message does.
      if (jobs.length === 1) turn();
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
