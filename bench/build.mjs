// Builds bench/entry.ts (the layers' public faces) with the project's own bundler
// config (tsdown → rolldown, ESM, node20), into a cache folder that is never committed.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { rawText } from '../tools/raw-text.mjs';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'cpe-sim-bench');
export const ENTRY = join(OUT_DIR, 'entry.mjs');

/** Builds the bench entry; returns its absolute path. */
export async function buildBench() {
  const { build } = await import('tsdown');
  await build({
    config: false,
    cwd: ROOT,
    entry: { entry: join(ROOT, 'bench', 'entry.ts') },
    outDir: OUT_DIR,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: true,
    clean: true,
    logLevel: 'warn',
    plugins: [rawText()],
  });
  return ENTRY;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  await buildBench();
  console.log(`built ${ENTRY} in ${Math.round(performance.now() - t0)} ms`);
}
