// A rolldown plugin for `import text from './file.js?raw'`: the file's text as a string
// module, so the dashboard's browser assets are inlined into the built package (no
// files to find at run time). Vite, and so Vitest running the sources, does the same
// natively; tsdown.config.ts and bench/build.mjs add this plugin.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** @returns {import('rolldown').Plugin} */
export function rawText() {
  return {
    name: 'cpe-sim-raw-text',
    resolveId(source, importer) {
      if (!source.endsWith('?raw') || importer === undefined) return null;
      return `${resolve(dirname(importer), source.slice(0, -'?raw'.length))}?raw`;
    },
    async load(id) {
      if (!id.endsWith('?raw')) return null;
      const file = id.slice(0, -'?raw'.length);
      this.addWatchFile(file);
      return { code: `export default ${JSON.stringify(await readFile(file, 'utf8'))};`, moduleType: 'js' };
    },
  };
}
