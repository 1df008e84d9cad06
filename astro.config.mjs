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

export default defineConfig({
  output: 'static',
  adapter: node({ mode: 'middleware' }),
  integrations: [wireLabDevServer()],
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
