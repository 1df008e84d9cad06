/**
 * How the class bar's "Hand in" asks the playground for the code on show: it dispatches
 * `PLAYGROUND_CODE_EVENT` on the document with an empty detail, and the playground of the page
 * fills it in (docs/classroom.md). A page with no playground leaves it empty.
 */
export const PLAYGROUND_CODE_EVENT = 'wl-playground-code';

export interface PlaygroundCode {
  /** The lesson's folder: `12-write-a-comet-loop`. */
  slug?: string;
  step?: string;
  /** The page's code. */
  code?: string;
  /** The learner's handler, on a step where they write the server too. */
  server?: string;
}
