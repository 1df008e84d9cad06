/** A virtual module of the build (astro.config.mjs): puts CSS text into a <style> in the page, once. */
declare module 'virtual:wl-inject-style' {
  export default function injectStyle(css: string): void;
}
