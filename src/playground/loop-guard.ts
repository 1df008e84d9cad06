/**
 * Prepares learner code for the runner: guards every loop against spinning forever, wraps the
 * code for top-level `await`, names it `learner.js`, and maps error positions back.
 *
 * The guard is the one CodePen and JSBin's `loop-protect` use: a call at the top of every
 * `for`, `while` and `do … while` body that throws once the loop has run for about a second
 * without the page getting a turn. It is inserted with a real parser (acorn) at exact offsets
 * and never adds a line break, so line numbers stay the learner's. Code acorn cannot parse does
 * not run: `syntaxError` says where the learner's mistake is (syntax-error.ts).
 */
import { getLineInfo, parse } from 'acorn';
import { LEARNER_FILE, TOP_LEVEL_NAME } from './protocol.ts';
import { type LearnerSyntaxError, syntaxErrorOf } from './syntax-error.ts';

/** The global the runner defines (`runner-frame.ts`) and guarded loops call with their line. */
export const GUARD_NAME = '__wlLoopGuard';

/** Opens the wrapper that allows top-level `await`; on line 1, so no line moves. */
const ASYNC_OPEN = `${TOP_LEVEL_NAME}(async () => {`;
const ASYNC_CLOSE = '\n});';

export interface PreparedCode {
  /** What the runner inserts as a `<script>`. */
  code: string;
  /** Whether every loop is guarded (false when the code does not parse). */
  guarded: boolean;
  /** Whether it runs inside `(async () => { … })()`, for top-level `await`. */
  wrapped: boolean;
  /** A 1-based line and column in `code`, as the learner wrote it. */
  toSource(line: number, col: number): { line: number; col: number };
  /** Set when acorn cannot parse the code: then it must not run. */
  syntaxError: LearnerSyntaxError | null;
}

interface Insertion {
  /** Offset in the learner's code. */
  at: number;
  text: string;
  /** 1-based line and 0-based column of `at`. */
  line: number;
  col: number;
}

interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

const LOOPS = new Set([
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
]);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** Guards and wraps `source` for one run. */
export function prepareCode(source: string): PreparedCode {
  let ast: AstNode;
  try {
    ast = parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowHashBang: true,
    }) as unknown as AstNode;
  } catch (err) {
    const syntaxError = syntaxErrorOf(err, source);
    // Not a syntax error (acorn ran out of stack on absurd nesting, say): let the browser try it.
    if (!syntaxError) return finish(source, [], /\bawait\b/.test(source), false);
    return { ...finish(source, [], false, false), syntaxError };
  }

  const insertions: Insertion[] = [];
  let topLevelAwait = false;
  const at = (offset: number, text: string) => {
    const { line, column } = getLineInfo(source, offset);
    insertions.push({ at: offset, text, line, col: column });
  };
  visit(ast, 0, (node, functionDepth) => {
    if (
      functionDepth === 0 &&
      (node.type === 'AwaitExpression' || (node.type === 'ForOfStatement' && node.await))
    ) {
      topLevelAwait = true;
    }
    if (!LOOPS.has(node.type)) return;
    const body = node.body as AstNode;
    const call = `${GUARD_NAME}(${getLineInfo(source, node.start).line});`;
    if (body.type === 'BlockStatement') {
      at(body.start + 1, call);
    } else {
      at(body.start, `{${call}`);
      at(body.end, '}');
    }
  });
  return finish(source, insertions, topLevelAwait, true);
}

/** Walks every node, telling `fn` how many functions enclose it. */
function visit(
  node: AstNode,
  functionDepth: number,
  fn: (node: AstNode, functionDepth: number) => void,
): void {
  fn(node, functionDepth);
  const depth = FUNCTIONS.has(node.type) ? functionDepth + 1 : functionDepth;
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) visit(child, depth, fn);
    } else if (isNode(value)) {
      visit(value, depth, fn);
    }
  }
}

function isNode(value: unknown): value is AstNode {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

function finish(source: string, insertions: Insertion[], wrapped: boolean, guarded: boolean): PreparedCode {
  // Apply from the end, so earlier offsets stay valid. Equal offsets keep their order.
  const ordered = insertions.map((ins, i) => ({ ins, i })).sort((a, b) => b.ins.at - a.ins.at || b.i - a.i);
  let code = source;
  for (const { ins } of ordered) code = code.slice(0, ins.at) + ins.text + code.slice(ins.at);
  if (wrapped) code = ASYNC_OPEN + code + ASYNC_CLOSE;
  code += `\n//# sourceURL=${LEARNER_FILE}`;

  const byLine = new Map<number, Insertion[]>();
  for (const ins of insertions) {
    const list = byLine.get(ins.line) ?? [];
    list.push(ins);
    byLine.set(ins.line, list);
  }
  for (const list of byLine.values()) list.sort((a, b) => a.col - b.col);

  return {
    code,
    guarded,
    wrapped,
    syntaxError: null,
    toSource(line, col) {
      // Columns from the browser are 1-based; the insertions' are 0-based.
      let shift = wrapped && line === 1 ? ASYNC_OPEN.length : 0;
      const runCol = col - 1;
      for (const ins of byLine.get(line) ?? []) {
        const start = ins.col + shift;
        if (runCol < start) break;
        if (runCol < start + ins.text.length) return { line, col: ins.col + 1 };
        shift += ins.text.length;
      }
      return { line, col: Math.max(1, runCol - shift + 1) };
    },
  };
}
