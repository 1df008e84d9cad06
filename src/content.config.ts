/**
 * Lessons: one folder each under `content/`, one Markdown file per language
 * (`en.md`, `zh.md`); starter, solution and check files in the folder are
 * shared by both languages.
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

export const TECHNIQUES = ['basics', 'polling', 'comet', 'sse', 'websocket'] as const;

const lessons = defineCollection({
  loader: glob({
    pattern: '*/{en,zh}.md',
    base: './content',
    // `01-reading-the-wire/en.md` → `01-reading-the-wire/en`
    generateId: ({ entry }) => entry.replace(/\.md$/, ''),
  }),
  schema: z.object({
    title: z.string().min(1, 'Give the lesson a title.'),
    summary: z.string().min(1, 'Give the lesson a one-sentence summary (shown on the home page).'),
    order: z.number().int().positive('order is the lesson number: 1, 2, 3…'),
    technique: z.enum(TECHNIQUES, {
      error: `technique must be one of: ${TECHNIQUES.join(', ')}.`,
    }),
    language: z.enum(['en', 'zh'], { error: 'language must be "en" or "zh", matching the file name.' }),
    minutes: z.number().int().positive().optional(),
  }),
});

export const collections = { lessons };
