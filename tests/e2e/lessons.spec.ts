/**
 * Every lesson, in both languages: each step's starter runs in the sandboxed runner and puts
 * on the wire what the step promises (its traffic check, read from the capture); the exercise
 * check fails for the exercise's starter and passes for its solution.
 */
import { test } from '@playwright/test';
import { lessons, walkLesson } from './lesson-walk.ts';

test.describe.configure({ mode: 'parallel' });

for (const slug of lessons) {
  for (const lang of ['en', 'zh'] as const) {
    test(`${slug} (${lang}): every step's traffic, and the exercise only with its solution`, async ({
      page,
    }) => {
      test.setTimeout(180_000);
      await walkLesson(page, slug, lang);
    });
  }
}
