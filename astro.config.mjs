// @ts-check
import { satteri } from '@astrojs/markdown-satteri';
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';
import { sequenceDiagramPlugin } from './src/markdown/sequence-diagram.ts';

/**
 * Mounts the lab, the capture and the inspector channel into Astro's dev server,
 * through the same routing code the production server uses.
 * @returns {import('astro').AstroIntegration}
 */
function wireLabDevServer() {
  return {
    name: 'wire-lab-dev-server',
    hooks: {
      'astro:server:setup': async ({ server }) => {
        const { mountOnDevServer } = await import('./server/dev.ts');
        await mountOnDevServer(server);
      },
    },
  };
}

/**
 * Builds the lesson search index (Pagefind) from the built pages, so search works with no
 * server and no network: one index per language, read by the search dialog.
 * @returns {import('astro').AstroIntegration}
 */
function lessonSearchIndex() {
  return {
    name: 'wire-lab-search-index',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const pagefind = await import('pagefind');
        const { index, errors } = await pagefind.createIndex({});
        if (!index) throw new Error(`Search index: ${errors.join('; ')}`);
        const site = new URL('../client/', dir);
        const added = await index.addDirectory({ path: site.pathname });
        if (added.errors.length > 0) throw new Error(`Search index: ${added.errors.join('; ')}`);
        await index.writeFiles({ outputPath: new URL('pagefind/', site).pathname });
        await pagefind.close();
        logger.info(`search index: ${added.page_count} pages`);
      },
    },
  };
}

/**
 * Loads the editor's styles with the editor's code instead of in the lesson page's <head>.
 *
 * Astro links the CSS of every module a page's scripts can import, dynamically imported ones
 * too, as render-blocking stylesheets: Monaco's hundred stylesheets (≈ 28 KB gzip) would hold up
 * the first paint of every lesson page, though the editor loads only when the playground is in
 * view. Monaco's `import './x.css'` statements become `x.css?inline` (the CSS as a string, its
 * `url()`s rewritten to built assets) put into a <style> when the module runs. The page's CSP
 * allows inline styles (Monaco writes some at run time too). The inspector does the same by hand.
 * @returns {import('vite').Plugin}
 */
function stylesWithTheirCode() {
  const STYLE_INJECTOR = '\0virtual:wl-inject-style';
  const CSS_IMPORT = /^import ['"](\.{1,2}\/[^'"]+\.css)['"];?[ \t]*$/gm;
  return {
    name: 'wire-lab-styles-with-their-code',
    enforce: 'pre',
    resolveId: (id) => (id === 'virtual:wl-inject-style' ? STYLE_INJECTOR : undefined),
    load: (id) =>
      id === STYLE_INJECTOR
        ? 'const seen = new Set();\n' +
          'export default function injectStyle(css) {\n' +
          '  if (seen.has(css)) return;\n' +
          '  seen.add(css);\n' +
          "  const style = document.createElement('style');\n" +
          '  style.textContent = css;\n' +
          '  document.head.append(style);\n' +
          '}\n'
        : undefined,
    transform(code, id, options) {
      if (options?.ssr || !/[\\/]node_modules[\\/]monaco-editor[\\/]esm[\\/].*\.js$/.test(id)) return;
      let n = 0;
      const out = code.replace(CSS_IMPORT, (_, path) => {
        n += 1;
        return `import wlCss${n} from '${path}?inline'; injectStyle(wlCss${n});`;
      });
      return n === 0
        ? undefined
        : { code: `import injectStyle from 'virtual:wl-inject-style';\n${out}`, map: null };
    },
  };
}

export default defineConfig({
  output: 'static',
  adapter: node({ mode: 'middleware' }),
  integrations: [wireLabDevServer(), lessonSearchIndex()],
  i18n: {
    locales: ['en', 'zh'],
    defaultLocale: 'en',
    routing: { prefixDefaultLocale: true, redirectToDefaultLocale: false },
  },
  markdown: {
    processor: satteri({ mdastPlugins: [sequenceDiagramPlugin] }),
    shikiConfig: {
      // github-dark's comments are 3.0:1 on its background and github-light's orange 3.5:1 on
      // white; every colour of the "-default" pair is at least 4.5:1 (WCAG 2.2 SC 1.4.3).
      // PlaygroundPanel.astro uses the same pair.
      themes: { light: 'github-light-default', dark: 'github-dark-default' },
      defaultColor: false,
    },
  },
  // The dev server serves project files (`/package.json`, `/@fs/…`, sources) to whoever reaches it,
  // so it does not follow HOST, which the README tells teachers to set for `npm start`: it stays on
  // loopback unless the dev-only WIRELAB_DEV_HOST says otherwise (tests/server/dev-server.test.ts).
  server: { port: Number(process.env.PORT ?? 4321), host: process.env.WIRELAB_DEV_HOST || 'localhost' },
  devToolbar: { enabled: false },
  vite: {
    build: { assetsInlineLimit: 0 },
    plugins: [stylesWithTheirCode()],
  },
});
