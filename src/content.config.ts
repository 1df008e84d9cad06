/**
 * Lessons: one folder each under `content/`, one Markdown file per language
 * (`en.md`, `zh.md`); starter, solution and check files in the folder are
 * shared by both languages, except that a Chinese page uses `<name>.zh.js` for a
 * starter or solution `<name>.js` when the folder has one (docs/playground.md).
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

/** A lesson's badge; `mixed` is for lessons that compare or combine several techniques. */
export const TECHNIQUES = ['basics', 'polling', 'comet', 'sse', 'websocket', 'mixed'] as const;

/** Lab endpoints a step may name; their handlers are shown in the playground's "Server code" tab. */
export const ENDPOINTS = [
  'time',
  'news',
  'poll',
  'send',
  'stream',
  'sse',
  'ws',
  'echo',
  'complete',
  'ticket',
] as const;

/**
 * A playground step: the code the learner starts from, in a file of the lesson's folder
 * (with its Chinese copy `<name>.zh.js` beside it, when it has words to translate), and what
 * the step needs. Declared in each language's
 * frontmatter with the same ids; only `title` differs. See docs/playground.md.
 */
const step = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'A step id is 1–40 of a-z, 0-9 and "-", e.g. "fetch-time".'),
    /** Shown in the step picker after "Step N"; optional. */
    title: z
      .string()
      .min(1, 'A step title cannot be empty: give it a few words, or leave the field out.')
      .optional(),
    starter: z
      .string()
      .regex(/^[\w.-]+\.js$/, 'starter is the name of a .js file in the lesson folder, e.g. "starter.js".'),
    solution: z
      .string()
      .regex(/^[\w.-]+\.js$/, 'solution is the name of a .js file in the lesson folder, e.g. "solution.js".')
      .optional(),
    /** The learner's own handler (docs/lab-api.md, "Your own server"): edited in the playground's server tab, deployed by Run. */
    server: z
      .string()
      .regex(
        /^[\w.-]+\.server\.js$/,
        'server is the name of a .server.js file in the lesson folder, e.g. "flush-loop.server.js".',
      )
      .optional(),
    serverSolution: z
      .string()
      .regex(
        /^[\w.-]+\.server\.solution\.js$/,
        'serverSolution is the name of a .server.solution.js file in the lesson folder, e.g. "flush-loop.server.solution.js".',
      )
      .optional(),
    endpoints: z
      .array(z.enum(ENDPOINTS, { error: `endpoints are lab endpoint names: ${ENDPOINTS.join(', ')}.` }))
      .optional(),
    jquery: z.boolean().optional(),
  })
  .refine((s) => !s.serverSolution || s.server, {
    message: 'serverSolution needs a server: name the starter handler (server: <name>.server.js) too.',
    path: ['serverSolution'],
  });

const lessons = defineCollection({
  loader: glob({
    pattern: '*/{en,zh}.md',
    base: './content',
    // `01-reading-the-wire/en.md` → `01-reading-the-wire/en`
    generateId: ({ entry }) => entry.replace(/\.md$/, ''),
  }),
  schema: z
    .object({
      title: z.string().min(1, 'Give the lesson a title.'),
      summary: z.string().min(1, 'Give the lesson a one-sentence summary (shown on the home page).'),
      order: z.number().int().positive('order is the lesson number: 1, 2, 3…'),
      technique: z.enum(TECHNIQUES, {
        error: `technique must be one of: ${TECHNIQUES.join(', ')}.`,
      }),
      language: z.enum(['en', 'zh'], { error: 'language must be "en" or "zh", matching the file name.' }),
      minutes: z.number().int().positive().optional(),
      /** The lesson's exercise: which step it is, and a hint in this language. Its check is `checks.ts`. */
      exercise: z
        .object({
          step: z.string().min(1, 'exercise.step names the step (its id) that is the exercise.'),
          hint: z
            .string()
            .min(1, 'exercise.hint: one or two sentences that help without giving the answer away.'),
        })
        .optional(),
      steps: z
        .array(step)
        .default([])
        .refine(
          (steps) => new Set(steps.map((s) => s.id)).size === steps.length,
          'Each step needs its own id.',
        ),
    })
    .refine((lesson) => !lesson.exercise || lesson.steps.some((s) => s.id === lesson.exercise?.step), {
      message: "exercise.step must be the id of one of the lesson's steps.",
      path: ['exercise', 'step'],
    }),
});

export const collections = { lessons };
