/** Reading the lessons collection: by language, in order, with their neighbours. */
import { type CollectionEntry, getCollection } from 'astro:content';
import type { Lang } from './i18n/index.ts';

export type Lesson = CollectionEntry<'lessons'>;

/** The lesson's folder name, which is its URL slug in every language. */
export function lessonSlug(lesson: Lesson): string {
  return lesson.id.split('/')[0] ?? lesson.id;
}

/** Every lesson in one language, by `order`. */
export async function lessonsIn(lang: Lang): Promise<Lesson[]> {
  const all = await getCollection('lessons', (entry) => entry.data.language === lang);
  return all.sort((a, b) => a.data.order - b.data.order);
}

/** The URL of a lesson page. */
export function lessonUrl(lang: Lang, slug: string): string {
  return `/${lang}/lessons/${slug}/`;
}
