/**
 * Build time: a lesson's declared steps (frontmatter `steps:`) joined with their files, and the
 * lab handler sources the "Server code" tab shows. Used by the lesson layout, never shipped to
 * the browser.
 *
 * A step's `starter`, `solution`, `server` and `serverSolution` name files in the lesson's folder (`content/<slug>/`);
 * a Chinese page reads `<name>.zh.js` instead when the folder has it (`step-files.ts`). Its
 * `endpoints` name lab endpoints, whose handlers are `server/lab/<endpoint>.ts`. See
 * docs/playground.md.
 */
import type { Lang } from '../i18n/index.ts';
import { stepFileFor } from './step-files.ts';

/** Every `.js` file of every lesson folder, as text. */
const lessonFiles = import.meta.glob<string>('/content/*/*.js', {
  query: '?raw',
  import: 'default',
  eager: true,
});
/** Every lab handler, as text, for the read-only "Server code" view. */
const labSources = import.meta.glob<string>('/server/lab/*.ts', {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** Endpoints whose handler file is not named after them (`/lab/<session>/ws` → ws-feed.ts). */
const HANDLER_FILE: Record<string, string> = { ws: 'ws-feed' };

/** A step as the frontmatter declares it (`src/content.config.ts`). */
export interface StepDeclaration {
  id: string;
  title?: string | undefined;
  starter: string;
  solution?: string | undefined;
  server?: string | undefined;
  serverSolution?: string | undefined;
  endpoints?: string[] | undefined;
  jquery?: boolean | undefined;
}

/** A step ready for the playground. */
export interface PlaygroundStep {
  id: string;
  /** May be empty: the picker then shows only "Step N". */
  title: string;
  starter: string;
  solution: string | null;
  /** The learner's handler (a starter the server tab edits and Run deploys), or null. */
  server: string | null;
  serverSolution: string | null;
  jquery: boolean;
  endpoints: string[];
}

/** A lab handler's file and source (null when the build has no such file). */
export interface ServerSource {
  endpoint: string;
  file: string;
  source: string | null;
}

/**
 * The steps of lesson `slug` for a `lang` page, with their code (the translated copy of a file
 * when there is one); throws, naming the file, when one is missing.
 */
export function lessonSteps(
  slug: string,
  lang: Lang,
  declared: readonly StepDeclaration[],
  scratch: { title: string; starter: string },
): PlaygroundStep[] {
  if (declared.length === 0) {
    return [
      {
        id: 'scratch',
        title: scratch.title,
        starter: scratch.starter,
        solution: null,
        server: null,
        serverSolution: null,
        jquery: false,
        endpoints: [],
      },
    ];
  }
  return declared.map((step) => ({
    id: step.id,
    title: step.title ?? '',
    starter: readLessonFile(slug, step.id, step.starter, lang),
    solution: step.solution ? readLessonFile(slug, step.id, step.solution, lang) : null,
    server: step.server ? readLessonFile(slug, step.id, step.server, lang) : null,
    serverSolution: step.serverSolution ? readLessonFile(slug, step.id, step.serverSolution, lang) : null,
    jquery: step.jquery ?? false,
    endpoints: step.endpoints ?? [],
  }));
}

/** The handler sources of every endpoint the steps name, once each. */
export function serverSources(steps: readonly PlaygroundStep[]): ServerSource[] {
  const endpoints = [...new Set(steps.flatMap((s) => s.endpoints))];
  return endpoints.map((endpoint) => {
    const file = `server/lab/${HANDLER_FILE[endpoint] ?? endpoint}.ts`;
    return { endpoint, file, source: labSources[`/${file}`] ?? null };
  });
}

function readLessonFile(slug: string, step: string, declaredName: string, lang: Lang): string {
  const name = stepFileFor(declaredName, lang, (file) => `/content/${slug}/${file}` in lessonFiles);
  const text = lessonFiles[`/content/${slug}/${name}`];
  if (text === undefined) {
    throw new Error(
      `Lesson "${slug}", step "${step}": the file content/${slug}/${name} does not exist. ` +
        'Create it, or fix the file name in the step (starter, solution, server and serverSolution are file names in the lesson folder).',
    );
  }
  return text;
}
