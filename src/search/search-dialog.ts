/**
 * Lesson search: the index is built from the pages at build time (Pagefind), one per
 * language, and searched in the browser — no server, no network. The index and its code
 * load on the first search only.
 */
interface PagefindResult {
  data(): Promise<{ url: string; excerpt: string; meta: { title?: string } }>;
}
interface Pagefind {
  search(query: string): Promise<{ results: PagefindResult[] } | null>;
  options(opts: Record<string, unknown>): Promise<void>;
}

const MAX_RESULTS = 8;
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
      found = (await (await loadPagefind()).search(query))?.results ?? [];
    } catch {
      status.textContent = strings.unavailable;
      return;
    }
    const data = await Promise.all(found.slice(0, MAX_RESULTS).map((r) => r.data()));
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
