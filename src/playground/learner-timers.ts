/**
 * The timers learner code has waiting in the runner: `setTimeout`, `setInterval` and
 * `requestAnimationFrame` are wrapped to count what is still to run. Code with a timer waiting
 * (a poll every 2 s, a `setTimeout(() => es.close(), 5000)`) has not finished: the run status
 * says "Running." until nothing is left to run.
 */

type TimerHandler = string | ((...args: unknown[]) => void);

export interface LearnerTimers {
  /** Timeouts not yet fired, intervals not cleared, animation frames not yet run. */
  pending(): number;
}

/** Wraps the timer functions of `win` (the runner's window). Call before the code runs. */
export function trackTimers(win: Window & typeof globalThis): LearnerTimers {
  const timeouts = new Set<number>();
  const intervals = new Set<number>();
  const frames = new Set<number>();
  const native = {
    setTimeout: win.setTimeout.bind(win),
    clearTimeout: win.clearTimeout.bind(win),
    setInterval: win.setInterval.bind(win),
    clearInterval: win.clearInterval.bind(win),
    requestAnimationFrame: win.requestAnimationFrame.bind(win),
    cancelAnimationFrame: win.cancelAnimationFrame.bind(win),
  };
  // A string handler runs as global code, as the browser would run it: eval called through a
  // reference is an indirect eval (ECMA-262 §19.2.1.1), which runs in the global scope.
  const globalEval = win.eval;
  const callable = (handler: TimerHandler): ((...args: unknown[]) => void) =>
    typeof handler === 'function' ? handler : () => globalEval(String(handler));

  const w = win as unknown as Record<string, unknown>;
  w.setTimeout = (handler: TimerHandler, delay?: number, ...args: unknown[]) => {
    const fn = callable(handler);
    const id: number = native.setTimeout(() => {
      timeouts.delete(id);
      fn(...args);
    }, delay);
    timeouts.add(id);
    return id;
  };
  w.setInterval = (handler: TimerHandler, delay?: number, ...args: unknown[]) => {
    const id = native.setInterval(callable(handler), delay, ...args);
    intervals.add(id);
    return id;
  };
  // Timeout and interval ids share one list (WHATWG HTML, "map of active timers"): either clear
  // function clears either kind.
  const clear = (handle?: number) => {
    if (handle === undefined) return;
    const id = Number(handle);
    timeouts.delete(id);
    intervals.delete(id);
    native.clearTimeout(id);
  };
  w.clearTimeout = clear;
  w.clearInterval = clear;
  w.requestAnimationFrame = (callback: FrameRequestCallback) => {
    const id = native.requestAnimationFrame((time) => {
      frames.delete(id);
      callback(time);
    });
    frames.add(id);
    return id;
  };
  w.cancelAnimationFrame = (id: number) => {
    frames.delete(id);
    native.cancelAnimationFrame(id);
  };

  return { pending: () => timeouts.size + intervals.size + frames.size };
}
