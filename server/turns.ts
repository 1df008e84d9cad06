/**
 * Work that timers start in herds, spread over turns of the event loop by time.
 *
 * In a class, hundreds of timers come due together: every held long poll starts gathering at the
 * same push and answers `pollBatchMs` later, every inspector channel's batch began with the same
 * records. Node runs all the timers due in one go, so 300 poll answers and 300 inspector frames
 * held the event loop for tens of milliseconds at once while nothing else was answered.
 *
 * `run(fn)` calls `fn` at once while the current stretch of such work is under `budgetMs`; after
 * that, it queues `fn`, and the queue is worked through in later turns (`setImmediate`), up to
 * `budgetMs` a turn, after whatever I/O and timers are waiting. A stretch ends with the turn it
 * began in. In order: a queued call never runs before one queued earlier, and while some are
 * queued a new one queues behind them. With `budgetMs` 0 every call runs at once, as before.
 */

export interface Turns {
  /** Calls `fn` now, or in a later turn when this turn's budget is spent. */
  run(fn: () => void): void;
  /** Calls queued and not yet made. */
  readonly pending: number;
  /** Drops what is queued (the server is closing). */
  close(): void;
}

/**
 * Returns a queue spending at most `budgetMs` a turn on its calls (0: no limit); `now` is the
 * clock in ms (tests give their own); `onError` hears what a call threw (default: the log).
 */
export function createTurns(
  budgetMs: number,
  now: () => number = () => performance.now(),
  onError: (err: unknown) => void = (err) => console.error('A deferred call failed:', err),
): Turns {
  const queue: Array<() => void> = [];
  let head = 0;
  /** When this turn's stretch began, or null outside one. */
  let stretchStart: number | null = null;
  let scheduled: NodeJS.Immediate | null = null;

  const call = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      onError(err);
    }
  };
  const schedule = (): void => {
    scheduled ??= setImmediate(nextTurn);
  };
  /** A new turn: the stretch is over; work through the queue with a fresh budget. */
  const nextTurn = (): void => {
    scheduled = null;
    stretchStart = null;
    if (head === queue.length) return;
    const start = now();
    stretchStart = start;
    while (head < queue.length && now() - start < budgetMs) {
      const fn = queue[head]!;
      queue[head] = noop; // keep nothing alive
      head += 1;
      call(fn);
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    schedule(); // ends this stretch, and takes the rest of the queue if any is left
  };

  return {
    run(fn) {
      if (budgetMs <= 0) {
        call(fn);
        return;
      }
      if (head < queue.length) {
        queue.push(fn); // others are waiting: in order
        return;
      }
      const t = now();
      if (stretchStart === null) {
        stretchStart = t;
        schedule();
      }
      if (t - stretchStart < budgetMs) call(fn);
      else queue.push(fn);
    },
    get pending() {
      return queue.length - head;
    },
    close() {
      queue.length = 0;
      head = 0;
      if (scheduled !== null) clearImmediate(scheduled);
      scheduled = null;
      stretchStart = null;
    },
  };
}

function noop(): void {}
