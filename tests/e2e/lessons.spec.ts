/**
 * Every lesson in English: each step's starter runs in the sandboxed runner and puts on the
 * wire what the step promises (its traffic check, read from the capture); the exercise check
 * fails for the exercise's starter and passes for its solution. The same walk in Chinese is
 * zh-everywhere.spec.ts, which also reads every zh page for English words after each step.
 */
import { test } from '@playwright/test';
import { lessons, walkLesson } from './lesson-walk.ts';

test.describe.configure({ mode: 'parallel' });

for (const slug of lessons) {
  for (const lang of ['en'] as const) {
    test(`${slug} (${lang}): every step's traffic, and the exercise only with its solution`, async ({
      page,
    }) => {
      test.setTimeout(180_000);
      await walkLesson(page, slug, lang);
    });
  }
}
