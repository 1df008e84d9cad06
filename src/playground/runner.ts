/**
 * The lesson page's side of a run: a fresh runner iframe for every Run, handed the code, its
 * console passed up, taken down again on Stop.
 *
 * Loading a runner page takes ~100 ms, so the next runner is loaded ahead, unseen (a *spare*):
 * Run only unhides it and posts the code. A spare runs nothing until then, and is used once.
 * Its renderer can die while it waits (a crash, the machine short of memory), and a dead frame
 * says nothing: so Run asks it `hello` (the code goes right behind), and a spare that does not
 * answer within `HELLO_TIMEOUT_MS` is replaced by a fresh frame. A fresh frame that is slow to
 * say `ready`, or whose page loaded without starting, is diagnosed (can the server be reached?
 * what did it answer?) and the console says why.
 *
 * Why a page (`/runner/`) and not `srcdoc`: a `srcdoc` frame inherits the lesson page's CSP,
 * which forbids inline scripts and eval, so learner code could not run. `/runner/` has its own
 * CSP (`server/security-headers.ts`): inline scripts and eval allowed, connections only to this
 * server. See docs/playground.md.
 */
import type {
  ClosedConnection,
  FromRunner,
  LogEntry,
  RunActivity,
  RunMessage,
  ToRunner,
} from './protocol.ts';

/** The runner page. */
export const RUNNER_PATH = '/runner/';
/** How long Stop waits for the runner to close its connections itself, before removing it. */
const STOP_GRACE_MS = 300;
/** How long a new runner may take to say `ready`. */
const READY_TIMEOUT_MS = 10_000;
/**
 * How long a runner loaded ahead has to answer `hello` before it is taken for dead. It has run
 * nothing before, so a live one answers within milliseconds. The code goes with the `hello`, so
 * a spare taken for dead may have begun it: the wait is long enough that a live one is unlikely
 * to be (a run started twice would send its requests twice), and with a fresh frame's
 * ~100–300 ms after it, Run still starts within two seconds.
 */
const HELLO_TIMEOUT_MS = 1_500;
/** A fresh runner not ready after this long: the console says so, and why if the page can tell. */
const SLOW_START_MS = 1_000;
/** A runner page that finished loading but did not say `ready` this long after did not start. */
const AFTER_LOAD_MS = 1_000;
/** How long after a Run (or a Stop) the next spare runner starts loading. */
const SPARE_DELAY_MS = 400;
/** After a runner stuck in a loop is removed, how long before a spare is loaded again. */
const AFTER_BUSY_MS = 3_000;

/** Why a runner is not starting, as far as the lesson page can tell. */
export type RunnerProblem =
  /** The server could not be reached at all. */
  | { kind: 'unreachable'; error: string }
  /** The server answered the runner page with this status. */
  | { kind: 'status'; status: number }
  /** The page loaded but its script did not start (or has not yet). */
  | { kind: 'noStart' }
  /** Still loading; nothing is known to be wrong. */
  | { kind: 'slow' };

export interface RunnerEvents {
  logs(entries: LogEntry[], dropped: number): void;
  /** What the learner's code still has going changed (protocol.ts `RunActivity`). */
  activity(activity: RunActivity): void;
  /** The runner loaded ahead did not answer (its renderer died while it waited): a fresh one is loading. */
  spareReplaced(): void;
  /** A fresh runner is taking longer than it should; it is still awaited. */
  slow(problem: RunnerProblem): void;
  /** The runner did not start, and why. */
  failed(problem: RunnerProblem): void;
}

export interface StopResult {
  closed: ClosedConnection[];
  /** True when the runner did not answer in time and was removed without its report. */
  forced: boolean;
  /** Milliseconds from Stop to the frame being gone. */
  ms: number;
}

export class RunnerHost {
  private frame: HTMLIFrameElement | null = null;
  /** The next runner, loaded ahead and unseen; `spareReady` once its page said `ready`. */
  private spare: HTMLIFrameElement | null = null;
  private spareReady = false;
  private spareTimer = 0;
  private readyTimer = 0;
  private helloTimer = 0;
  private slowTimer = 0;
  private loadTimer = 0;
  private pendingRun: RunMessage | null = null;
  /** A run handed to a spare that has not yet answered `hello`: started again elsewhere if it never does. */
  private unconfirmed: RunMessage | null = null;
  private stopAnswer: ((closed: ClosedConnection[]) => void) | null = null;
  /** This run's channel: the runner reports through it (see runner-frame.ts for why). */
  private channel: MessageChannel | null = null;
  private readonly container: HTMLElement;
  private readonly events: RunnerEvents;
  private readonly title: string;

  constructor(container: HTMLElement, events: RunnerEvents, title: string) {
    this.container = container;
    this.events = events;
    this.title = title;
    window.addEventListener('message', (event) => {
      // The runner's origin is opaque ("null"): recognise it by its window instead.
      if (this.frame && event.source === this.frame.contentWindow) this.receive(event.data);
      else if (this.spare && event.source === this.spare.contentWindow) {
        const data = event.data as FromRunner | null;
        if (data?.wl === 'ready') {
          this.spareReady = true;
          this.spare.dataset.ready = '';
        }
      }
    });
  }

  /** Starts loading a spare runner, so the next Run starts at once (call once the playground is in use). */
  warm(): void {
    // Not when one is already due (after a forced Stop, later than usual on purpose).
    if (!this.spare && !this.frame && this.spareTimer === 0) this.warmSoon();
  }

  get running(): boolean {
    return this.frame !== null;
  }

  /** The frame of the current run, if any (tests and the preview use it). */
  get element(): HTMLIFrameElement | null {
    return this.frame;
  }

  /**
   * Starts a run: in the spare runner when it is loaded (the code goes at once), otherwise in a
   * new frame once it says `ready`. The caller stops the previous run first.
   */
  run(message: RunMessage): void {
    const spare = this.spareReady ? this.spare : null;
    this.dropSpare();
    this.pendingRun = message;
    if (spare) {
      this.show(spare);
      // Alive? A live spare answers `ready` to `hello` (runner-frame.ts) before it reads the run,
      // which goes with it rather than after the answer: a round trip less between the click and
      // the code's first request. A spare that does not answer is removed, whatever it got.
      spare.contentWindow?.postMessage({ wl: 'hello' } satisfies ToRunner, '*');
      this.start(spare);
      this.unconfirmed = message;
      this.helloTimer = window.setTimeout(() => {
        if (this.frame !== spare || this.unconfirmed !== message) return;
        this.unconfirmed = null;
        this.channel?.port1.close();
        this.channel = null;
        spare.remove();
        this.pendingRun = message;
        this.events.spareReplaced();
        this.startFresh();
      }, HELLO_TIMEOUT_MS);
    } else {
      this.startFresh();
    }
    this.warmSoon();
  }

  /** Makes `frame` the run's frame, shown. */
  private show(frame: HTMLIFrameElement): void {
    frame.removeAttribute('aria-hidden');
    frame.removeAttribute('tabindex');
    frame.className = 'runner-frame';
    delete frame.dataset.ready;
    this.frame = frame;
  }

  /** Loads a new frame for the pending run, watching that it starts. */
  private startFresh(): void {
    const frame = this.newFrame();
    this.show(frame);
    const waiting = () => this.frame === frame && this.pendingRun !== null;
    const give = (problem: RunnerProblem) => {
      if (!waiting()) return;
      this.remove();
      this.events.failed(problem);
    };
    frame.addEventListener('load', () => {
      clearTimeout(this.loadTimer);
      this.loadTimer = window.setTimeout(() => {
        if (waiting()) void diagnoseRunner().then((p) => give(p ?? { kind: 'noStart' }));
      }, AFTER_LOAD_MS);
    });
    this.slowTimer = window.setTimeout(() => {
      if (!waiting()) return;
      void diagnoseRunner().then((problem) => {
        if (problem) give(problem);
        else if (waiting()) this.events.slow({ kind: 'slow' });
      });
    }, SLOW_START_MS);
    this.readyTimer = window.setTimeout(() => give({ kind: 'noStart' }), READY_TIMEOUT_MS);
    this.container.append(frame);
  }

  /**
   * Stops the run: asks the runner to close what it opened (so the learner's `onclose` handlers
   * run and the inspector shows proper closes), then removes the frame, which ends everything
   * else. A runner stuck in a loop cannot answer; it is removed after `STOP_GRACE_MS` anyway.
   */
  async stop(): Promise<StopResult> {
    const frame = this.frame;
    const start = performance.now();
    if (!frame) return { closed: [], forced: false, ms: 0 };
    // A spare handed the code that has not answered `hello` yet is stopped like any runner, but
    // not replaced if it never answers; and a silent one is not taken for one stuck in a loop.
    const unconfirmed = this.unconfirmed !== null;
    if (unconfirmed) {
      clearTimeout(this.helloTimer);
      this.unconfirmed = null;
    }
    let closed: ClosedConnection[] | null = null;
    if (!this.pendingRun) {
      closed = await new Promise<ClosedConnection[] | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), STOP_GRACE_MS);
        this.stopAnswer = (list) => {
          clearTimeout(timer);
          resolve(list);
        };
        this.send({ wl: 'stop' });
      });
      this.stopAnswer = null;
    }
    const forced = closed === null && !this.pendingRun && !unconfirmed;
    if (forced) {
      // A runner that does not answer is busy in a loop, and a spare may share its renderer
      // process: that process ends only once it holds no frame, so the spare goes too, and the
      // next one is loaded once the process is gone.
      this.dropSpare(true);
    }
    if (this.frame === frame) this.remove(forced ? AFTER_BUSY_MS : SPARE_DELAY_MS);
    return { closed: closed ?? [], forced, ms: performance.now() - start };
  }

  setTheme(dark: boolean): void {
    if (this.frame && !this.pendingRun) this.send({ wl: 'theme', dark });
  }

  private newFrame(): HTMLIFrameElement {
    const frame = document.createElement('iframe');
    // Scripts only: no allow-same-origin (the frame could lift its own sandbox), no forms,
    // no popups, no top navigation. Its origin is opaque; its requests carry `Origin: null`.
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.setAttribute('title', this.title);
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.src = RUNNER_PATH;
    return frame;
  }

  /** Loads the next spare runner a little later, when none is loading. */
  private warmSoon(delayMs = SPARE_DELAY_MS): void {
    clearTimeout(this.spareTimer);
    this.spareTimer = window.setTimeout(() => {
      this.spareTimer = 0;
      if (this.spare || !this.container.isConnected) return;
      const spare = this.newFrame();
      // Laid out at the preview's size but not shown (`visibility`, not `display: none`), so the
      // code it runs later sees the page's real width from its first line.
      spare.setAttribute('aria-hidden', 'true');
      spare.tabIndex = -1;
      spare.className = 'runner-spare';
      this.spare = spare;
      this.spareReady = false;
      this.container.append(spare);
    }, delayMs);
  }

  /** Forgets the spare: a spare that is not loaded yet is removed (a fresh frame is as quick). */
  private dropSpare(evenReady = false): void {
    clearTimeout(this.spareTimer);
    this.spareTimer = 0;
    if (this.spare && (evenReady || !this.spareReady)) this.spare.remove();
    this.spare = null;
    this.spareReady = false;
  }

  /** Hands the pending run to `frame`, which said `ready`, with this run's own channel. */
  private start(frame: HTMLIFrameElement): void {
    if (!this.pendingRun) return;
    this.clearStartTimers();
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => {
      if (this.frame === frame) this.receive(event.data);
    };
    this.channel = channel;
    frame.contentWindow?.postMessage(this.pendingRun, '*', [channel.port2]);
    this.pendingRun = null;
  }

  private clearStartTimers(): void {
    clearTimeout(this.readyTimer);
    clearTimeout(this.helloTimer);
    clearTimeout(this.slowTimer);
    clearTimeout(this.loadTimer);
  }

  private remove(warmAfterMs = SPARE_DELAY_MS): void {
    this.clearStartTimers();
    this.channel?.port1.close();
    this.channel = null;
    this.frame?.remove();
    this.frame = null;
    this.pendingRun = null;
    this.unconfirmed = null;
    this.warmSoon(warmAfterMs);
  }

  private send(message: ToRunner): void {
    this.frame?.contentWindow?.postMessage(message, '*');
  }

  private receive(message: unknown): void {
    const data = message as FromRunner | null;
    if (!data || typeof data !== 'object') return;
    switch (data.wl) {
      case 'ready':
        if (this.unconfirmed) {
          // The spare answered `hello`: alive, and running what it was handed with it.
          this.unconfirmed = null;
          clearTimeout(this.helloTimer);
        } else if (this.frame) this.start(this.frame);
        break;
      case 'logs':
        // Learner code can post anything to its parent: take only what has the right shape.
        if (Array.isArray(data.entries)) {
          this.events.logs(data.entries.slice(-1_000), Number(data.dropped) || 0);
        }
        break;
      case 'activity':
        // From learner code's frame too: only numbers and a boolean pass.
        this.events.activity({
          done: data.done === true,
          open: Math.max(0, Math.floor(Number(data.open) || 0)),
          timers: Math.max(0, Math.floor(Number(data.timers) || 0)),
        });
        break;
      case 'stopped':
        this.stopAnswer?.(Array.isArray(data.closed) ? data.closed : []);
        break;
    }
  }
}

/**
 * Why the runner page is not starting, if the lesson page can tell: asks the server for it
 * (the same URL the frame loads). Null when the server serves it normally.
 */
async function diagnoseRunner(): Promise<RunnerProblem | null> {
  try {
    const res = await fetch(RUNNER_PATH, { method: 'HEAD', cache: 'no-store' });
    return res.ok ? null : { kind: 'status', status: res.status };
  } catch (err) {
    return { kind: 'unreachable', error: err instanceof Error ? err.message : String(err) };
  }
}
