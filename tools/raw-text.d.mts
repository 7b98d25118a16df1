import type { Plugin } from 'rolldown';
/** A rolldown plugin for `import text from './file?raw'` (see raw-text.mjs). */
export function rawText(): Plugin;
