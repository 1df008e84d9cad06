/**
 * Monaco's own words in the page's language: what a screen reader hears of the editor (its role,
 * "Press Alt+F1 for accessibility options"), the find widget, the context menu, hover texts.
 *
 * Monaco reads its messages from a global set by one of its `nls/lang/*.js` files, by index, so
 * the file must have run before any of Monaco's modules: the playground awaits this, then imports
 * the editor. English is Monaco's built-in text; nothing is loaded for it.
 */
export async function loadMonacoWords(lang: 'en' | 'zh'): Promise<void> {
  if (lang === 'zh') await import('monaco-editor/nls/lang/zh-cn.js');
}
