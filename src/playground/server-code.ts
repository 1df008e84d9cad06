/**
 * The "Your server" editor: on a step with a `server` file, the learner's own handler (docs/lab-api.md,
 * "Your own server"), edited beside their page's code and deployed by Run (server-deploy.ts).
 *
 * A plain textarea first, as the page's own editor is; a second Monaco editor once Monaco has
 * loaded, with a model of its own per step (`file:///server/<step>.js`), so each handler keeps its
 * undo history apart from the client's. Drafts are kept per step like the client's, under their own
 * key (drafts.ts, `part: 'server'`).
 */
import { loadDraft, saveDraft } from './drafts.ts';
import type { CodeEditor, CodeMark, EditorOptions } from './editor.ts';

/** What the server editor needs to know of a step. */
export interface ServerStep {
  id: string;
  /** The handler's starter, or null on a step without one (the tab then shows built-ins only). */
  server: string | null;
}

type Surface = Pick<CodeEditor, 'getValue' | 'replace' | 'showStep' | 'focus' | 'setDark' | 'mark'>;

/** Drafts are saved this long after the last keystroke (and when the page is hidden), as the client's. */
const SAVE_DELAY_MS = 400;

export class ServerCode {
  private readonly host: HTMLElement | null;
  private readonly slug: string;
  /** A hand-in's code is the learner's, not a draft of this browser's: nothing is saved. */
  private readonly keepDrafts: boolean;
  private readonly onSaveFailed: () => void;
  private step: ServerStep;
  private surface: Surface;
  private textarea: HTMLTextAreaElement | null;
  private saveTimer = 0;

  constructor(
    host: HTMLElement | null,
    options: { slug: string; step: ServerStep; keepDrafts: boolean; onSaveFailed: () => void },
  ) {
    this.host = host;
    this.slug = options.slug;
    this.keepDrafts = options.keepDrafts;
    this.onSaveFailed = options.onSaveFailed;
    this.step = options.step;
    // A lesson with no `server` step renders no server editor: then this stays inert (never active).
    const textarea = host?.querySelector<HTMLTextAreaElement>('.pg-server-fallback') ?? null;
    this.textarea = textarea;
    if (!textarea) {
      this.surface = { getValue: () => '', replace() {}, showStep() {}, focus() {}, setDark() {}, mark() {} };
      return;
    }
    textarea.addEventListener('input', () => this.scheduleSave());
    this.surface = {
      getValue: () => textarea.value,
      replace: (code) => {
        textarea.value = code;
        this.scheduleSave();
      },
      showStep: (_step, code) => {
        textarea.value = code;
      },
      focus: () => textarea.focus(),
      setDark: () => {},
      // No markers in a textarea: the console says where the mistake is.
      mark: () => {},
    };
    if (this.step.server !== null) textarea.value = this.codeOf(this.step);
    addEventListener('pagehide', () => this.flush());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.flush();
    });
  }

  /** Whether the step on show has a handler of the learner's. */
  get active(): boolean {
    return this.host !== null && this.step.server !== null;
  }

  /** The handler's text as the learner left it. */
  getValue(): string {
    return this.surface.getValue();
  }

  /** Replaces the handler's text (Reset, the solution, a shared link) as one undoable edit, and saves it. */
  replace(code: string): void {
    this.surface.replace(code);
    this.flush();
  }

  mark(mark: CodeMark | null): void {
    this.surface.mark(mark);
  }

  focus(): void {
    this.surface.focus();
  }

  setDark(dark: boolean): void {
    this.surface.setDark(dark);
  }

  /** Shows another step's handler (its draft, or its starter); nothing on a step without one. */
  showStep(step: ServerStep): void {
    this.flush();
    this.step = step;
    if (this.active && step.server !== null) this.surface.showStep(step.id, this.codeOf(step), false);
  }

  /** Swaps the textarea for Monaco (called once Monaco has loaded); keeps the text as it is. */
  attachMonaco(
    create: (host: HTMLElement, options: EditorOptions) => CodeEditor,
    options: Pick<EditorOptions, 'dark' | 'ariaLabel' | 'onRun'>,
  ): void {
    const textarea = this.textarea;
    if (!textarea || !this.host) return;
    const monacoHost = document.createElement('div');
    monacoHost.className = 'monaco-host';
    this.host.append(monacoHost);
    this.surface = create(monacoHost, {
      ...options,
      value: textarea.value,
      step: this.step.id,
      models: 'server',
      jquery: false,
      onChange: () => this.scheduleSave(),
    });
    textarea.remove();
    this.textarea = null;
  }

  /** Saves a pending draft now (before a Run, a step change, the page going away). */
  flush(): void {
    if (!this.saveTimer) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = 0;
    this.save();
  }

  /** The step's handler as this page shows it: this browser's draft, but never on a page that keeps none (a hand-in's). */
  private codeOf(step: ServerStep): string {
    const draft = this.keepDrafts ? loadDraft(this.slug, step.id, 'server') : null;
    return draft ?? step.server ?? '';
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => {
      this.saveTimer = 0;
      this.save();
    }, SAVE_DELAY_MS);
  }

  private save(): void {
    if (!this.keepDrafts || this.step.server === null) return;
    if (!saveDraft(this.slug, this.step.id, this.surface.getValue(), this.step.server, 'server'))
      this.onSaveFailed();
  }
}
