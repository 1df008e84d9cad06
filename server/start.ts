/**
 * `npm start`: builds the site when there is no build or the sources are newer than it, then
 * starts the server. One command on a fresh clone.
 */
import { buildSiteIfStale } from './site-build.ts';

buildSiteIfStale();
const { main } = await import('./index.ts');
await main();
