/**
 * The Monaco editor, bundled locally with its workers (no CDN: the site works offline).
 * Imported dynamically by `playground.ts` once the playground is in view or touched, so the
 * lesson page does not carry its megabyte before then.
 *
 * Only what a JavaScript playground needs: the editor core and its contributions, the
 * JavaScript grammar, and the TypeScript worker (DOM typings, so `fetch`, `XMLHttpRequest`,
 * `EventSource` and `WebSocket` complete).
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/javascript/register';
import { javascriptDefaults, ScriptTarget } from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import type { CodeMark } from './syntax-error.ts';

export type { CodeMark };

self.MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    return label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker();
  },
};

javascriptDefaults.setCompilerOptions({
  target: ScriptTarget.ESNext,
  allowNonTsExtensions: true,
  allowJs: true,
  checkJs: false,
});
// Plain JavaScript with top-level `await` (the runner allows it): syntax errors only, no type checks.
javascriptDefaults.setDiagnosticsOptions({ noSemanticValidation: true, noSyntaxValidation: false });

const JQUERY_TYPES = 'declare const $: any;\ndeclare const jQuery: any;\n';
// What the runner adds for every step (learner-globals.ts), so they complete with their documentation.
javascriptDefaults.addExtraLib(
  `/** Wire Lab: the 20-byte SHA-1 digest of a string (its UTF-8 bytes) or of bytes. Works on plain http, where crypto.subtle is missing. */
declare function sha1(data: string | ArrayBuffer | ArrayBufferView): Uint8Array;
/** Wire Lab: standard base64 (with = padding) of bytes, or of a string's UTF-8 bytes. */
declare function base64(data: string | ArrayBuffer | ArrayBufferView): string;
/** Wire Lab: this tab's name for chat messages, e.g. "learner4821": the same on every Run in the tab. */
declare const learnerName: string;
`,
  'ts:wire-lab-globals.d.ts',
);

// Colours of the site's raised surfaces (global.css), so the editor sits flush in the panel.
monaco.editor.defineTheme('wl-light', {
  base: 'vs',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#ffffff', 'editorGutter.background': '#ffffff' },
});
monaco.editor.defineTheme('wl-dark', {
  base: 'vs-dark',
  inherit: true,
  // vs-dark's comment green (#608b4e) is 4.39:1 on this background; 6a9955 is 5.2:1 (WCAG 1.4.3 AA).
  // Starters are mostly comments where they explain the lesson (the server files of lesson 12).
  rules: [{ token: 'comment', foreground: '6a9955' }],
  colors: { 'editor.background': '#171a22', 'editorGutter.background': '#171a22' },
});

export interface EditorOptions {
  value: string;
  /** Model per step, so each keeps its own undo history. */
  step: string;
  /** Folder of the models' URIs: `steps` for the learner's page, `server` for their handler (a model of its own per step). */
  models?: string;
  dark: boolean;
  jquery: boolean;
  ariaLabel: string;
  onRun(): void;
  onChange(): void;
}

/** The owner of Wire Lab's own markers (Monaco keeps markers per owner and model). */
const MARK_OWNER = 'wire-lab';

export interface CodeEditor {
  getValue(): string;
  /** Replaces the text as one undoable edit (Reset, Solution). */
  replace(code: string): void;
  /** Shows another step's code, in that step's own model. */
  showStep(step: string, code: string, jquery: boolean): void;
  focus(): void;
  setDark(dark: boolean): void;
  /** Marks a mistake (a syntax error) in the code shown; null clears it. Any edit clears it too. */
  mark(mark: CodeMark | null): void;
  dispose(): void;
}

export function createEditor(host: HTMLElement, options: EditorOptions): CodeEditor {
  const models = new Map<string, monaco.editor.ITextModel>();
  let jqueryLib: monaco.IDisposable | null = null;
  const setJquery = (on: boolean) => {
    if (on && !jqueryLib) jqueryLib = javascriptDefaults.addExtraLib(JQUERY_TYPES, 'ts:jquery-globals.d.ts');
    if (!on && jqueryLib) {
      jqueryLib.dispose();
      jqueryLib = null;
    }
  };
  const modelFor = (step: string, code: string) => {
    let model = models.get(step);
    if (!model) {
      model = monaco.editor.createModel(
        code,
        'javascript',
        monaco.Uri.parse(`file:///${options.models ?? 'steps'}/${encodeURIComponent(step)}.js`),
      );
      const m = model;
      model.onDidChangeContent(() => {
        // The mark was about the code as it was run: an edit may have fixed it.
        monaco.editor.setModelMarkers(m, MARK_OWNER, []);
        delete host.dataset.mark;
        options.onChange();
      });
      models.set(step, model);
    } else if (model.getValue() !== code) {
      model.setValue(code);
    }
    return model;
  };

  setJquery(options.jquery);
  const editor = monaco.editor.create(host, {
    model: modelFor(options.step, options.value),
    theme: options.dark ? 'wl-dark' : 'wl-light',
    automaticLayout: true,
    minimap: { enabled: false },
    fontFamily: getComputedStyle(host).getPropertyValue('--font-mono').trim() || 'monospace',
    fontSize: 14,
    lineHeight: 21,
    tabSize: 2,
    padding: { top: 12, bottom: 12 },
    scrollBeyondLastLine: false,
    wordWrap: 'on',
    lineNumbersMinChars: 3,
    glyphMargin: false,
    folding: false,
    overviewRulerLanes: 0,
    stickyScroll: { enabled: false },
    fixedOverflowWidgets: true,
    ariaLabel: options.ariaLabel,
    scrollbar: { alwaysConsumeMouseWheel: false, verticalScrollbarSize: 10, horizontalScrollbarSize: 10 },
  });
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => options.onRun());

  /** Puts Wire Lab's one marker on the model shown, or clears it. */
  const mark = (found: CodeMark | null) => {
    const model = editor.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      MARK_OWNER,
      found
        ? [
            {
              severity: monaco.MarkerSeverity.Error,
              message: found.message,
              startLineNumber: found.line,
              startColumn: found.col,
              endLineNumber: found.line,
              endColumn: found.endCol,
            },
          ]
        : [],
    );
    // Mirrored on the host, for whoever needs to know without Monaco's API (the tests).
    if (found) {
      host.dataset.mark = `${found.line}:${found.col}`;
      editor.revealLineInCenterIfOutsideViewport(found.line);
    } else {
      delete host.dataset.mark;
    }
  };

  return {
    getValue: () => editor.getValue(),
    replace(code) {
      const model = editor.getModel();
      if (!model) return;
      editor.pushUndoStop();
      editor.executeEdits('wire-lab', [{ range: model.getFullModelRange(), text: code }]);
      editor.pushUndoStop();
    },
    showStep(step, code, jquery) {
      setJquery(jquery);
      mark(null); // a mark belongs to the step that was run
      editor.setModel(modelFor(step, code));
    },
    focus: () => editor.focus(),
    setDark: (dark) => monaco.editor.setTheme(dark ? 'wl-dark' : 'wl-light'),
    mark,
    dispose() {
      editor.dispose();
      for (const m of models.values()) m.dispose();
      jqueryLib?.dispose();
    },
  };
}
