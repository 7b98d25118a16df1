/**
 * The profiles shipped in the package (`fixtures/profiles/*.yaml`), reachable by name:
 * `loadProfile('tr181-digest')`, `profile: 'tr181-digest'` in the fixtures,
 * `--profile tr181-digest` on the CLI. A path in the docs such as
 * `fixtures/profiles/tr181-digest.yaml` exists in this repository but not in a
 * project that installed cpe-sim; a name works in both.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let dir: string | null | undefined;

/**
 * `fixtures/profiles` of the cpe-sim package this module belongs to: the nearest
 * directory above it whose package.json is cpe-sim's (src/profile/ in the repository,
 * dist/ in the package), so a user's own `fixtures/profiles` is never taken for it.
 */
function shippedDir(): string | undefined {
  if (dir !== undefined) return dir ?? undefined;
  dir = null;
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'cpe-sim' && existsSync(join(d, 'fixtures', 'profiles'))) dir = join(d, 'fixtures', 'profiles');
      } catch {
        // An unreadable package.json is not ours.
      }
      break;
    }
    d = dirname(d);
  }
  return dir ?? undefined;
}

/** Names of the shipped profiles (file names without `.yaml`), sorted. */
export function shippedProfileNames(): string[] {
  const d = shippedDir();
  if (d === undefined) return [];
  return readdirSync(d)
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => n.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * The file of the shipped profile `name` (`'tr181-digest'`), or `undefined` when
 * `name` is not a bare profile name or no such profile is shipped.
 * @example
 * const file = shippedProfilePath('tr181-digest'); // …/node_modules/cpe-sim/fixtures/profiles/tr181-digest.yaml
 */
export function shippedProfilePath(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || /\.(ya?ml|json)$/.test(name)) return undefined;
  const d = shippedDir();
  if (d === undefined) return undefined;
  const file = join(d, `${name}.yaml`);
  return existsSync(file) ? file : undefined;
}
