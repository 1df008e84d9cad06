/**
 * Lesson search: the index is built from the pages at build time (Pagefind), one per
 * language, and searched in the browser — no server, no network. The index and its code
 * load on the first search only.
 */
import { rankByWords } from './rank-words.ts';
import { hasHan, segmentZh } from './segment-zh.ts';

interface PagefindResult {
  id: string;
  score: number;
  data(): Promise<{ url: string; excerpt: string; content: string; meta: { title?: string } }>;
}
interface Pagefind {
  search(query: string): Promise<{ results: PagefindResult[] } | null>;
  options(opts: Record<string, unknown>): Promise<void>;
}

const MAX_RESULTS = 8;
/** Pages a Chinese query's results are read from to be ranked (rank-words.ts): more than the site has per language. */
const RANK_AT_MOST = 60;
let pagefind: Promise<Pagefind> | null = null;

function loadPagefind(): Promise<Pagefind> {
  pagefind ??= import(/* @vite-ignore */ `${location.origin}/pagefind/pagefind.js`).then(
    async (m: Pagefind) => {
      await m.options({ excerptLength: 24 });
      return m;
    },
  );
  return pagefind;
}

/**
 * What to ask Pagefind for the reader's query. A query with no Chinese goes as typed (Pagefind
 * ranks its words together). A Chinese one goes word by word (src/search/segment-zh.ts), each
 * word of two or more Han characters as a quoted phrase: Pagefind's exact search, which needs the
 * characters adjacent on the page — ICU splits 重连 into 重 and 连, which alone match everywhere.
 */
export function pagefindQueries(query: string): string[] {
  if (!hasHan(query)) return [query];
  return segmentZh(query).map((w) => (hasHan(w) && [...w].length > 1 ? `"${w}"` : w));
}

/**
 * The pages that match every query, best first. Pagefind's exact search takes one phrase per
 * search, so a query of several words is one search each; a page must be in all of them and is
 * ranked by its summed scores. The result kept is the first word's, whose excerpt marks it.
 */
async function searchAll(pf: Pagefind, queries: string[]): Promise<PagefindResult[]> {
  const lists: PagefindResult[][] = [];
  for (const q of queries) lists.push((await pf.search(q))?.results ?? []);
  const [first, ...rest] = lists;
  if (!first) return [];
  if (rest.length === 0) return first;
  const scores = new Map(first.map((r) => [r.id, r.score]));
  for (const list of rest) {
    const here = new Map(list.map((r) => [r.id, r.score]));
    for (const [id, score] of scores) {
      const more = here.get(id);
      if (more === undefined) scores.delete(id);
      else scores.set(id, score + more);
    }
  }
  return first.filter((r) => scores.has(r.id)).sort((a, b) => scores.get(b.id)! - scores.get(a.id)!);
}

/** Escapes text for HTML, keeping Pagefind's `<mark>` highlights (the only tag it adds). */
function safeExcerpt(excerpt: string): string {
  const escaped = excerpt.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return escaped.replace(/&#60;mark&#62;/g, '<mark>').replace(/&#60;\/mark&#62;/g, '</mark>');
}

export function initSearch(): void {
  const open = document.querySelector<HTMLButtonElement>('.search-open');
  const dialog = document.querySelector<HTMLDialogElement>('.search-dialog');
  if (!open || !dialog) return;
  const input = dialog.querySelector<HTMLInputElement>('.search-input')!;
  const status = dialog.querySelector<HTMLElement>('.search-status')!;
  const list = dialog.querySelector<HTMLOListElement>('.search-results')!;
  const strings = JSON.parse(
    dialog.querySelector<HTMLTemplateElement>('.search-strings')?.dataset.json ?? '{}',
  ) as {
    none: string;
    unavailable: string;
    count: string;
  };

  const show = () => {
    dialog.showModal();
    input.focus();
    input.select();
  };
  open.addEventListener('click', show);
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      show();
    }
  });

  let generation = 0;
  input.addEventListener('input', async () => {
    const query = input.value.trim();
    const mine = ++generation;
    if (query === '') {
      list.replaceChildren();
      status.textContent = '';
      return;
    }
    let found: PagefindResult[];
    try {
      found = await searchAll(await loadPagefind(), pagefindQueries(query));
    } catch {
      status.textContent = strings.unavailable;
      return;
    }
    const data = hasHan(query)
      ? rankByWords(
          await Promise.all(found.slice(0, RANK_AT_MOST).map((r) => r.data())),
          segmentZh(query).filter(hasHan),
        ).slice(0, MAX_RESULTS)
      : await Promise.all(found.slice(0, MAX_RESULTS).map((r) => r.data()));
    if (mine !== generation) return; // a newer query is on its way
    status.textContent =
      data.length === 0 ? strings.none : strings.count.replace('{n}', String(found.length));
    list.replaceChildren(
      ...data.map((d) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = d.url;
        const title = document.createElement('span');
        title.className = 'r-title';
        title.textContent = d.meta.title ?? d.url;
        const excerpt = document.createElement('span');
        excerpt.className = 'r-excerpt';
        excerpt.innerHTML = safeExcerpt(d.excerpt);
        a.append(title, excerpt);
        li.append(a);
        return li;
      }),
    );
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      list.querySelector('a')?.focus();
    }
  });
  list.addEventListener('keydown', (e) => {
    const links = [...list.querySelectorAll('a')];
    const i = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      links[Math.min(i + 1, links.length - 1)]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (i <= 0) input.focus();
      else links[i - 1]?.focus();
    }
  });
}
