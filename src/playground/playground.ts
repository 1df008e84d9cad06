/**
 * Brings one server-rendered playground (`PlaygroundPanel.astro`) to life: the code (a plain
 * textarea until Monaco is loaded), Run / Stop / Reset / Solution / Share, the step picker,
 * drafts, shared links, and the output tabs.
 *
 * Kept small on purpose: this is all the JavaScript a lesson page carries until the learner
 * reaches the playground. Monaco, acorn and the inspector are dynamic imports.
 */
import { copyText } from './clipboard.ts';
import { PLAYGROUND_CODE_EVENT, type PlaygroundCode } from './code-on-show.ts';
import { type ConsoleEntry, ConsoleView, summarize } from './console-view.ts';
import { loadDraft, saveDraft } from './drafts.ts';
import type { CodeEditor } from './editor.ts';
import type { InspectorHandle } from './inspector/mount.ts';
import type { PreparedCode } from './loop-guard.ts';
import { learnerNameFor, tabLearnerName } from './learner-name.ts';
import { LEARNER_FILE, type LogEntry, type LogLevel, type Preview, type RunActivity } from './protocol.ts';
import { type RunnerProblem, RunnerHost, type StopResult } from './runner.ts';
import { runSessionId, showsHandIn } from './run-session.ts';
import { type RunPhase, runPhase, runStatusText } from './run-status.ts';
import { ServerCode } from './server-code.ts';
import { ServerConsole, serverEntry } from './server-console.ts';
import { decodeShare, encodeShare, isHandInLink, MAX_ENCODED } from './share.ts';
import { attachSplitter } from './splitter.ts';
import { explainSyntaxError, type LearnerSyntaxError } from './syntax-error.ts';
import { attachTabs } from './tabs.ts';
import { loadMonacoWords } from './monaco-words.ts';

interface StepConfig {
  id: string;
  title: string;
  starter: string;
  solution: string | null;
  /** The learner's handler (its starter) on a step where they write the server too, and its solution. */
  server: string | null;
  serverSolution: string | null;
  jquery: boolean;
  endpoints: string[];
  /** The exercise's hint, on the exercise's step: shown before its solution. */
  hint: string | null;
}

interface PlaygroundConfig {
  slug: string;
  lang: 'en' | 'zh';
  steps: StepConfig[];
  strings: Record<string, string>;
}

/** What the code area is: the fallback textarea first, Monaco once it has loaded. */
type CodeSurface = Pick<CodeEditor, 'getValue' | 'replace' | 'showStep' | 'focus' | 'setDark' | 'mark'>;

/**
 * Document events the playground sends besides `wl-run` and `wl-console`, read by the exercise
 * card (src/checks/run-checks.ts): `wl-run-state` when the code's activity changes (its detail:
 * the phase and how many connections are open), `wl-run-end` when the run is over (Stop, a new
 * Run, another step) or never started (`failed: true`).
 */
export interface RunStateDetail {
  phase: RunPhase;
  open: number;
}
export interface RunEndDetail {
  failed: boolean;
}

/** Milliseconds a loop may spin without yielding before the guard stops it. */
const GUARD_MS = 1_000;
/** Drafts are saved this long after the last keystroke (and when the page is hidden). */
const SAVE_DELAY_MS = 400;
const LEVELS = new Set<LogLevel>(['log', 'info', 'warn', 'error', 'debug']);

export function initPlayground(root: HTMLElement): void {
  const config = JSON.parse(root.dataset.config ?? '{}') as PlaygroundConfig;
  const s = (key: string) => config.strings[`playground.${key}`] ?? key;
  const $ = <T extends HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
  // A learner's hand-in runs in a session of its own and leaves the teacher's drafts alone.
  const session = runSessionId();
  const handIn = showsHandIn();
  const isDark = () => document.documentElement.dataset.theme === 'dark';

  const runButton = $<HTMLButtonElement>('.pg-run');
  const stopButton = $<HTMLButtonElement>('.pg-stop');
  const solutionButton = $<HTMLButtonElement>('.pg-solution');
  const status = $('.pg-status');
  const notice = $('.pg-notice');
  const restoreButton = $<HTMLButtonElement>('.pg-restore');
  const shareBox = $('.pg-share-box');
  const shareUrl = $<HTMLInputElement>('.pg-share-url');
  const editorPanel = $('.pg-editor');
  const textarea = $<HTMLTextAreaElement>('.pg-fallback');
  const serverTab = $<HTMLElement>('#pg-tab-server');
  const slot = $('.inspector-slot');
  const runOutput = $('.pg-run-output');
  const preview = $('.pg-preview');
  const previewEmpty = $('.pg-preview-empty');
  const consoleEmpty = $('.pg-console-empty');
  const count = $('.pg-count');
  const clearButton = $<HTMLButtonElement>('.pg-clear');
  const serverPanel = $('#pg-panel-server');

  slot.dataset.session = session;
  if (/Mac|iPhone|iPad/.test(navigator.platform)) {
    $('.pg-kbd').textContent = '⌘ ↵';
    // Monaco's "toggle Tab key moves focus" is Ctrl+Shift+M on macOS, Ctrl+M elsewhere.
    $('.pg-editor-keys').textContent = s('editor.keys.mac');
  }

  let step: StepConfig = config.steps[0]!;
  let surface: CodeSurface = textareaSurface(
    textarea,
    () => void run(),
    () => scheduleSave(),
  );
  let prepared: PreparedCode | null = null;
  let runStart = 0;
  // The learner's own handler, on a step with a `server` file (server-code.ts, server-deploy.ts).
  const serverCode = new ServerCode(root.querySelector<HTMLElement>('.pg-server-editor'), {
    slug: config.slug,
    step,
    keepDrafts: !handIn,
    onSaveFailed: () => announce(s('status.saveFailed')),
  });
  const serverConsole = new ServerConsole(session, (lines) =>
    consoleView.add(lines.map((line) => serverEntry(line, performance.now() - runStart, s))),
  );

  // ---- status, announced to screen readers through the role="status" region

  const announce = (text: string) => {
    status.textContent = text;
    status.title = text;
  };
  const setState = (state: 'idle' | 'running' | 'stopping') => {
    root.dataset.state = state;
    stopButton.disabled = state !== 'running';
  };

  // ---- drafts

  let saveTimer = 0;
  const saveNow = () => {
    clearTimeout(saveTimer);
    saveTimer = 0;
    if (handIn) return; // the learner's code, not a draft of this browser's
    if (!saveDraft(config.slug, step.id, surface.getValue(), step.starter)) announce(s('status.saveFailed'));
  };
  const scheduleSave = () => {
    clearTimeout(saveTimer);
    saveTimer = window.setTimeout(saveNow, SAVE_DELAY_MS);
  };
  addEventListener('pagehide', () => {
    if (saveTimer) saveNow();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden' && saveTimer) saveNow();
  });

  const codeOf = (st: StepConfig) => loadDraft(config.slug, st.id) ?? st.starter;

  // ---- console

  const consoleView = new ConsoleView(
    $('.pg-console-list'),
    {
      dropped: s('console.dropped'),
      line: s('console.line'),
      uncaught: s('console.uncaught'),
      rejection: s('console.rejection'),
      more: s('console.more'),
      moreChars: s('console.moreChars'),
      circular: s('console.circular'),
      server: s('console.server'),
    },
    mapStack,
    (n, errors) => {
      consoleEmpty.hidden = n > 0;
      count.hidden = n === 0;
      count.textContent = n > 999 ? '999+' : String(n);
      count.toggleAttribute('data-errors', errors > 0);
    },
  );

  /** Keeps the learner's frames of a stack, at the learner's positions. */
  function mapStack(stack: string): string {
    const at = prepared;
    if (!at) return '';
    const pattern = new RegExp(`${LEARNER_FILE.replace('.', '\\.')}:(\\d+):(\\d+)`, 'g');
    return stack
      .split('\n')
      .filter((line) => line.includes(`${LEARNER_FILE}:`))
      .map((line) =>
        line.trim().replace(pattern, (_m, l: string, c: string) => {
          const p = at.toSource(Number(l), Number(c));
          return `${LEARNER_FILE}:${p.line}:${p.col}`;
        }),
      )
      .join('\n');
  }

  const system = (text: string) =>
    consoleView.add([
      { level: 'system', kind: 'system', t: performance.now() - runStart, args: [{ k: 'str', v: text }] },
    ]);

  /** Takes entries from the runner, which runs learner code: only the expected shapes pass. */
  const receiveLogs = (entries: LogEntry[], dropped: number) => {
    const clean: ConsoleEntry[] = [];
    for (const e of entries) {
      if (!e || typeof e !== 'object' || !Array.isArray(e.args)) continue;
      const entry: ConsoleEntry = {
        level: LEVELS.has(e.level) ? e.level : 'log',
        kind: e.kind === 'uncaught' || e.kind === 'rejection' ? e.kind : 'console',
        t: typeof e.t === 'number' ? e.t : 0,
        args: e.args.slice(0, 100) as Preview[],
      };
      if (typeof e.line === 'number' && prepared) {
        const p = prepared.toSource(e.line, typeof e.col === 'number' ? e.col : 1);
        entry.line = p.line;
        entry.col = p.col;
      }
      clean.push(entry);
    }
    consoleView.add(clean, dropped);
    // The lesson's checks read what the code printed (src/checks/run-checks.ts).
    for (const entry of clean) {
      const detail = { level: entry.level, text: entry.args.map((a) => summarize(a, 2)).join(' ') };
      document.dispatchEvent(new CustomEvent('wl-console', { detail }));
    }
  };

  // ---- runner

  const runner = new RunnerHost(
    preview,
    {
      logs: receiveLogs,
      activity: showActivity,
      spareReplaced: () => system(s('runner.replaced')),
      slow: (problem) => system(problemText(problem)),
      failed: (problem) => runFailed(problem),
    },
    s('preview.title'),
  );

  /** The run status from what the code still has going (runner-frame.ts reports it). */
  function showActivity(activity: RunActivity): void {
    if (root.dataset.state !== 'running') return;
    const phase = runPhase(activity);
    root.dataset.run = phase;
    const text = runStatusText(activity, config.lang, (key) => s(`status.${key}`));
    if (status.textContent !== text) announce(text);
    const detail: RunStateDetail = { phase, open: activity.open };
    document.dispatchEvent(new CustomEvent('wl-run-state', { detail }));
  }

  const endRun = (failed: boolean) => {
    delete root.dataset.run;
    const detail: RunEndDetail = { failed };
    document.dispatchEvent(new CustomEvent('wl-run-end', { detail }));
  };

  /** Why the runner is not starting, in the page's language. */
  function problemText(problem: RunnerProblem): string {
    switch (problem.kind) {
      case 'unreachable':
        return s('runner.unreachable').replace('{error}', problem.error);
      case 'status':
        return s('runner.status').replace('{status}', String(problem.status));
      case 'noStart':
        return s('runner.noStart');
      case 'slow':
        return s('runner.slow');
    }
  }

  function runFailed(problem: RunnerProblem): void {
    setState('idle');
    endRun(true);
    previewEmpty.hidden = false;
    const text = problemText(problem);
    announce(text);
    system(text);
  }

  /** Code acorn cannot parse does not run: the console and the editor say where, in the learner's code. */
  function showSyntaxError(error: LearnerSyntaxError): void {
    const what = explainSyntaxError(error, (key) => s(`syntax.${key}`));
    const text = s('console.syntax')
      .replace('{line}', String(error.line))
      .replace('{col}', String(error.col))
      .replace('{what}', what);
    consoleView.add([
      { level: 'error', kind: 'console', args: [{ k: 'str', v: text }], line: error.line, col: error.col },
    ]);
    surface.mark({
      line: error.line,
      col: error.col,
      endCol: error.col + Math.max(1, error.token.length),
      message: what,
    });
    announce(s('status.syntax').replace('{line}', String(error.line)).replace('{col}', String(error.col)));
  }

  let guardModule: Promise<typeof import('./loop-guard.ts')> | null = null;
  const loadGuard = () => {
    guardModule ??= import('./loop-guard.ts');
    return guardModule;
  };

  /** True while Run deploys the learner's handler: a second Run waits for the first. */
  let deploying = false;

  async function run(): Promise<void> {
    if (root.dataset.state === 'stopping' || deploying) return;
    const code = surface.getValue();
    if (saveTimer) saveNow();
    const { prepareCode } = await loadGuard();
    if (runner.running) await stop(true);
    prepared = prepareCode(code);
    consoleView.clear();
    surface.mark(null);
    notice.hidden = notice.dataset.kind !== 'shared' || notice.hidden;
    if (prepared.syntaxError) {
      showSyntaxError(prepared.syntaxError);
      return;
    }
    if (serverCode.active && !(await startServer())) return;
    previewEmpty.hidden = true;
    runStart = performance.now();
    void ensureInspector().then((h) => h?.runStarted());
    // Before the runner exists, so every connection it opens comes after this mark.
    document.dispatchEvent(new CustomEvent('wl-run', { detail: { step: step.id } }));
    runner.run({
      wl: 'run',
      code: prepared.code,
      session,
      jquery: step.jquery,
      dark: isDark(),
      guardMessage: s('guard'),
      guardMs: GUARD_MS,
      learnerName: learnerNameFor(tabLearnerName(), config.lang),
    });
    setState('running');
    root.dataset.run = 'running';
    announce(s('status.running'));
  }

  /**
   * Deploys the learner's handler before their page runs; false (and the console, the status and
   * a mark in the server editor say why) when it did not start. Its console is read while the page runs.
   */
  async function startServer(): Promise<boolean> {
    serverCode.flush();
    serverCode.mark(null);
    announce(s('status.deploying'));
    deploying = true;
    const outcome = await import('./server-deploy.ts')
      .then(({ deployServer }) => deployServer(session, serverCode.getValue(), s))
      .catch((err: unknown) => ({
        // The module itself did not load (the server restarting): as if the PUT had failed.
        ok: false as const,
        text: s('server.unreachable').replace('{error}', String(err)),
        status: s('status.serverFailed'),
        mark: null,
      }))
      .finally(() => {
        deploying = false;
      });
    if (outcome.ok) {
      serverConsole.start(outcome.seq);
      return true;
    }
    const where = outcome.mark ? { line: outcome.mark.line, col: outcome.mark.col } : {};
    consoleView.add([
      { level: 'error', kind: 'console', source: 'server', args: [{ k: 'str', v: outcome.text }], ...where },
    ]);
    if (outcome.mark) {
      selectCodeTab('server');
      serverCode.mark(outcome.mark);
    }
    announce(outcome.status);
    return false;
  }

  async function stop(quiet = false): Promise<void> {
    serverConsole.stop();
    if (!runner.running || root.dataset.state === 'stopping') return;
    setState('stopping');
    if (!quiet) announce(s('status.stopping'));
    const result: StopResult = await runner.stop();
    root.dataset.lastStopMs = String(Math.round(result.ms));
    previewEmpty.hidden = false;
    setState('idle');
    endRun(false);
    if (quiet) return;
    const seconds = ((performance.now() - runStart) / 1000).toFixed(1);
    const lines = [s('console.stopped').replace('{s}', seconds)];
    if (result.closed.length > 0) {
      const list = result.closed.map((c) => `${c.kind} ${shortUrl(c.url)}`).join(', ');
      lines.push(s('console.closed').replace('{list}', list));
    }
    if (result.forced) lines.push(s('console.forced'));
    system(lines.join(' '));
    const n = result.closed.length;
    announce(n > 0 ? s('status.stoppedClosed').replace('{n}', String(n)) : s('status.stopped'));
  }

  /** `http://host/lab/<session>/sse?count=3` → `sse?count=3`. */
  const shortUrl = (url: string) => {
    try {
      const u = new URL(url);
      return (u.pathname + u.search).replace(`/lab/${session}/`, '') || url;
    } catch {
      return url;
    }
  };

  runButton.addEventListener('click', () => void run());
  stopButton.addEventListener('click', () => void stop());
  root.addEventListener('keydown', (event) => {
    // Monaco has its own Ctrl/Cmd+Enter command; everywhere else in the playground, this one.
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
    if ((event.target as HTMLElement).closest('.monaco-host')) return;
    event.preventDefault();
    void run();
  });

  // ---- inspector: mounted on first Run, or when its tab is first shown

  let inspector: Promise<InspectorHandle | null> | null = null;
  function ensureInspector(): Promise<InspectorHandle | null> {
    inspector ??= import('./inspector/mount.ts').then(
      (m) => m.mountInspector(slot, { session, lang: config.lang }),
      () => {
        inspector = null; // a failed load (the server restarting) is tried again at the next Run
        return null;
      },
    );
    return inspector;
  }

  // ---- tabs

  const serverFiles = Array.from(root.querySelectorAll<HTMLElement>('.pg-server-file'));
  const selectCodeTab = attachTabs($('.pg-code-tabs [role="tablist"]'), (name) => {
    $('#pg-panel-code').hidden = name !== 'code';
    $('#pg-panel-server').hidden = name !== 'server';
  });
  attachTabs($('.pg-output-tabs [role="tablist"]'), (name) => {
    $('.pg-inspector').hidden = name !== 'inspector';
    runOutput.hidden = name === 'inspector';
    runOutput.dataset.view = name;
    $('.pg-preview').hidden = name !== 'preview';
    $('.pg-splitter-preview').hidden = name !== 'preview';
    clearButton.hidden = name === 'inspector';
    if (name !== 'inspector') consoleView.reveal();
    if (name === 'inspector') void ensureInspector();
  });
  clearButton.addEventListener('click', () => consoleView.clear());

  // ---- splitters

  const split = $('.pg-split');
  // Projector mode (src/styles/projector.css) lays the editor beside the output on a wide screen
  // (the same media query as there) and gives the output more of a narrow one: each layout
  // remembers its own share.
  const wide = matchMedia('(min-aspect-ratio: 3/2)');
  const layout = () =>
    !document.documentElement.hasAttribute('data-projector')
      ? 'page'
      : wide.matches
        ? 'projector-wide'
        : 'projector';
  // The inspector below needs the room more than a short snippet does; on a projector, more so.
  const firstShare = { page: 42, projector: 27, 'projector-wide': 40 };
  const mainSplit = attachSplitter($('.pg-splitter-main'), {
    container: split,
    initial: () => firstShare[layout()],
    min: 15,
    max: 85,
    storageKey: () => (layout() === 'page' ? 'wl-split-main' : `wl-split-${layout()}`),
    apply: (p) => split.style.setProperty('--top', `${p}%`),
  });
  let shownLayout = layout();
  // The projector button dispatches a resize after switching (projector.ts).
  window.addEventListener('resize', () => {
    if (layout() === shownLayout) return;
    shownLayout = layout();
    mainSplit.restore();
  });
  attachSplitter($('.pg-splitter-preview'), {
    container: runOutput,
    initial: 50,
    min: 10,
    max: 90,
    storageKey: 'wl-split-preview',
    apply: (p) => runOutput.style.setProperty('--preview', `${p}%`),
  });

  // ---- steps, reset, solution

  function showStep(next: StepConfig): void {
    if (saveTimer) saveNow();
    step = next;
    surface.showStep(step.id, codeOf(step), step.jquery);
    serverConsole.stop();
    serverCode.showStep(step);
    solutionButton.hidden = !step.solution && !step.serverSolution;
    const mine = step.server !== null;
    serverTab.hidden = step.endpoints.length === 0 && !mine;
    $('.pg-tab-builtin').hidden = mine;
    $('.pg-tab-mine').hidden = !mine;
    serverPanel.toggleAttribute('data-mine', mine);
    $('.pg-server-builtins').hidden = step.endpoints.length === 0;
    for (const f of serverFiles) f.hidden = !step.endpoints.includes(f.dataset.endpoint ?? '');
    if (serverTab.hidden) selectCodeTab('code');
  }

  const stepSelect = root.querySelector<HTMLSelectElement>('.pg-step-select');
  stepSelect?.addEventListener('change', () => {
    const next = config.steps.find((st) => st.id === stepSelect.value);
    if (!next || next === step) return;
    void stop(true).then(() => showStep(next));
  });
  // The exercise card's "open the exercise" button.
  document.addEventListener('wl-select-step', (event) => {
    const next = config.steps.find((st) => st.id === (event as CustomEvent<{ step: string }>).detail?.step);
    if (!next) return;
    if (stepSelect) stepSelect.value = next.id;
    if (next !== step) void stop(true).then(() => showStep(next));
    surface.focus();
  });

  // The class bar's "Hand in" asks for the code on show: it fills in the event's detail (docs/classroom.md),
  // the learner's handler too on a step where they write the server.
  document.addEventListener(PLAYGROUND_CODE_EVENT, (event) => {
    const ask = (event as CustomEvent<PlaygroundCode | null>).detail;
    if (!ask) return;
    Object.assign(ask, { slug: config.slug, step: step.id, code: surface.getValue() });
    if (serverCode.active) ask.server = serverCode.getValue();
  });

  $('.pg-reset').addEventListener('click', () => {
    surface.replace(step.starter);
    saveNow();
    if (step.server !== null) serverCode.replace(step.server);
    announce(s('status.reset'));
  });
  // The solution: the exercise's hint first, then the answer only if the learner confirms. Their
  // code stays recoverable twice over: "Back to my code" (kept here) and the editor's undo stack.
  const solutionDialog = $<HTMLDialogElement>('.pg-solution-dialog');
  solutionButton.addEventListener('click', () => {
    if (!step.solution && !step.serverSolution) return;
    $('.pg-solution-hint').hidden = !step.hint;
    $('.pg-solution-hint-text').textContent = step.hint ?? '';
    solutionDialog.returnValue = '';
    solutionDialog.showModal();
  });
  solutionDialog.addEventListener('close', () => {
    if (solutionDialog.returnValue !== 'solution' || (!step.solution && !step.serverSolution)) return;
    // Whichever the step has: the page's solution, the handler's, or both.
    const mine = surface.getValue();
    const myServer = serverCode.active ? serverCode.getValue() : null;
    if (mine !== step.solution || myServer !== step.serverSolution)
      keptCode = { step, code: mine, server: myServer };
    if (step.solution) {
      surface.replace(step.solution);
      saveNow();
    }
    if (step.serverSolution) serverCode.replace(step.serverSolution);
    announce(s('status.solution'));
    showNotice('solution', s('solution.shown'));
    surface.focus();
  });

  // ---- share links

  $('.pg-share').addEventListener('click', async () => {
    const server = serverCode.active ? serverCode.getValue() : null;
    const fragment = await encodeShare(step.id, surface.getValue(), false, server);
    if (fragment.length > (server === null ? 1 : 2) * MAX_ENCODED + 80) {
      announce(s('share.tooLong'));
      return;
    }
    const url = `${location.origin}${location.pathname}${fragment}`;
    shareUrl.value = url;
    shareBox.hidden = false;
    // navigator.clipboard is missing on plain http off localhost (a classroom LAN): copyText falls
    // back to execCommand('copy'), and if that fails too the link stays selected in its field.
    const copied = await copyText(url);
    const text = copied ? s('share.copied') : s('share.copy');
    $('.pg-share-text').textContent = text;
    announce(text);
    shareUrl.focus();
    shareUrl.select();
  });
  $('.pg-share-close').addEventListener('click', () => {
    shareBox.hidden = true;
    $('.pg-share').focus();
  });

  /** The learner's own code, while a shared link's or the solution is in the editor ("Back to my code"). */
  let keptCode: { step: StepConfig; code: string; server: string | null } | null = null;
  const showNotice = (kind: 'shared' | 'solution' | 'error', text: string) => {
    notice.dataset.kind = kind;
    $('.pg-notice-text').textContent = text;
    restoreButton.hidden = kind === 'error' || keptCode === null;
    notice.hidden = false;
  };
  $('.pg-notice-close').addEventListener('click', () => {
    notice.hidden = true;
  });
  restoreButton.addEventListener('click', () => {
    if (!keptCode) return;
    if (keptCode.step !== step) showStep(keptCode.step);
    surface.replace(keptCode.code);
    saveNow();
    if (keptCode.server !== null) serverCode.replace(keptCode.server);
    keptCode = null;
    notice.hidden = true;
    surface.focus();
  });

  /** Opens code from a link's fragment: as text in the editor, never run. */
  async function openSharedLink(): Promise<void> {
    if (isHandInLink(location.hash) && !handIn) {
      // A hand-in link typed into a page that runs in the tab's session: start the page again, so
      // its runs, inspector and checks all use the hand-in's own session from the first.
      location.reload();
      return;
    }
    const shared = await decodeShare(location.hash);
    if (shared === null) return;
    // Drop the fragment: a reload shows the (now saved) code without the notice again. A hand-in
    // is not saved, so its link stays: a reload opens it again.
    if (!handIn) history.replaceState(history.state, '', location.pathname + location.search);
    if (!shared.ok) {
      showNotice('error', shared.reason === 'too-large' ? s('shared.tooLarge') : s('shared.damaged'));
      return;
    }
    const target = config.steps.find((st) => st.id === shared.step) ?? step;
    if (target !== step) {
      if (stepSelect) stepSelect.value = target.id;
      showStep(target);
    }
    const mine = surface.getValue();
    const myServer = serverCode.active ? serverCode.getValue() : null;
    const same = mine === shared.code && (shared.server === null || myServer === shared.server);
    keptCode = handIn || same ? null : { step: target, code: mine, server: myServer };
    surface.replace(shared.code);
    saveNow();
    // A link from before the server editor (no server=) leaves the learner's handler as it is.
    if (shared.server !== null && serverCode.active) serverCode.replace(shared.server);
    showNotice('shared', handIn ? s('shared.handIn') : s('shared.notice'));
  }
  addEventListener('hashchange', () => void openSharedLink());

  // ---- theme

  document.addEventListener('wl-theme', (event) => {
    const dark = Boolean((event as CustomEvent<{ dark: boolean }>).detail?.dark);
    surface.setDark(dark);
    serverCode.setDark(dark);
    runner.setTheme(dark);
  });

  // ---- Monaco: when the playground comes into view, or at the first touch

  let editorLoading: Promise<void> | null = null;
  function loadEditor(): Promise<void> {
    editorLoading ??= (async () => {
      const [{ createEditor }] = await Promise.all([
        loadMonacoWords(config.lang).then(() => import('./editor.ts')),
        loadGuard(),
      ]);
      const hadFocus = document.activeElement === textarea;
      const host = document.createElement('div');
      host.className = 'monaco-host';
      editorPanel.append(host);
      const editor = createEditor(host, {
        value: textarea.value,
        step: step.id,
        dark: isDark(),
        jquery: step.jquery,
        ariaLabel: s('editor.label'),
        onRun: () => void run(),
        onChange: () => scheduleSave(),
      });
      surface = editor;
      textarea.remove();
      serverCode.attachMonaco(createEditor, {
        dark: isDark(),
        ariaLabel: s('server.editorLabel'),
        onRun: () => void run(),
      });
      root.dataset.editor = 'monaco';
      if (hadFocus) editor.focus();
    })()
      .catch((err: unknown) => {
        // The textarea keeps working; the learner loses nothing but highlighting.
        console.error('Wire Lab: the editor could not be loaded.', err);
      })
      .finally(() => {
        // The learner is at the playground: load the first runner and the inspector ahead (its
        // code, its panel, its channel), so the first Run does not wait for them.
        runner.warm();
        setTimeout(() => void ensureInspector(), 1_000);
      });
    return editorLoading;
  }
  textarea.addEventListener('focus', () => void loadEditor(), { once: true });
  textarea.addEventListener('pointerdown', () => void loadEditor(), { once: true });
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      // Let the lesson finish painting first.
      if ('requestIdleCallback' in window) requestIdleCallback(() => void loadEditor(), { timeout: 1_500 });
      else setTimeout(() => void loadEditor(), 200);
    },
    { rootMargin: '200px' },
  );
  observer.observe(root);

  // ---- start: the step's draft, then a shared link if there is one

  const draft = loadDraft(config.slug, step.id);
  if (draft !== null) textarea.value = draft;
  void openSharedLink();
}

/** The fallback editor: a textarea with the same interface as the Monaco wrapper. */
function textareaSurface(
  textarea: HTMLTextAreaElement,
  _onRun: () => void,
  onChange: () => void,
): CodeSurface {
  textarea.addEventListener('input', onChange);
  return {
    getValue: () => textarea.value,
    replace(code) {
      textarea.focus();
      textarea.select();
      // execCommand keeps the change on the textarea's undo stack (Ctrl+Z brings the old code back).
      if (!document.execCommand('insertText', false, code)) textarea.value = code;
      onChange();
    },
    showStep(_step, code) {
      textarea.value = code;
    },
    focus: () => textarea.focus(),
    setDark: () => {},
    // No markers in a textarea: the console says where the mistake is.
    mark: () => {},
  };
}
