/**
 * The inspector's entry point, loaded by the playground on first Run (a dynamic import, so
 * the lesson page carries none of it until then). The panel itself is `panel.ts`.
 */
import type { Lang } from '../../i18n/index.ts';
import { createPanel } from './panel.ts';

export interface InspectorHandle {
  /** A new Run started: marks it on the timeline (and clears closed connections when asked to). */
  runStarted(): void;
  dispose(): void;
}

/** Mounts the inspector panel into `el`, following the session's capture. */
export function mountInspector(el: HTMLElement, opts: { session: string; lang: Lang }): InspectorHandle {
  const panel = createPanel(el, { session: opts.session, lang: opts.lang });
  return {
    runStarted: () => panel.runStarted(),
    dispose: () => panel.dispose(),
  };
}
