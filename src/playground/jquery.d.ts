/**
 * The little of jQuery the runner touches (the `jquery` package ships no types, and learner
 * code that uses `$` is plain JavaScript the runner never type-checks).
 */
declare module 'jquery' {
  interface JQueryStatic {
    (...args: unknown[]): unknown;
    ajaxSetup(options: Record<string, unknown>): void;
  }
  const jQuery: JQueryStatic;
  export default jQuery;
}
