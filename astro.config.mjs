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
      themes: { light: 'github-light', dark: 'github-dark' },
      defaultColor: false,
    },
  },
  server: { port: Number(process.env.PORT ?? 4321), host: process.env.HOST ?? 'localhost' },
  devToolbar: { enabled: false },
  vite: {
    build: { assetsInlineLimit: 0 },
  },
});
