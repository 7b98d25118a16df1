import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The Digest-protected profile the package ships (proves `files` includes it). */
export const profile = require.resolve('cpe-sim/package.json').replace(/package\.json$/, 'fixtures/profiles/tr181-digest.yaml');

/** The CR credentials of that profile for CPE `n`. */
export const cr = (n: number) => ({ username: `cr-cpe-${n}`, password: 'secret' });
