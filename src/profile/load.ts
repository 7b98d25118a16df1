/**
 * Entry points of the loader: files, directories, text and in-memory objects all end
 * in the same validator ({@link buildProfile}).
 * @module
 */
import { existsSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, ProfileError, type ProfileProblem } from '../errors/index.js';
import { DEFAULT_MAX_VALUE_BYTES, formatBytes, fromObject, type ParseLimits } from './nodes.js';
import { shippedProfileNames, shippedProfilePath } from './shipped.js';
import type { AppManifest, Profile } from './types.js';
import { buildManifest, buildProfile, type ProfileDoc } from './validate.js';
import { parseYamlText } from './yaml-stream.js';

/**
 * Default of {@link ProfileLoadOptions.maxProfileBytes}: 16 MiB. Loading needs ~9 bytes of
 * heap per byte of profile, YAML or JSON (docs/hardening.md), so a profile at the limit needs
 * ~150 MiB of heap (RSS peaks near 20×); it was 4 MiB while parsing cost ~70–90 bytes per byte.
 */
export const DEFAULT_MAX_PROFILE_BYTES = 16 * 1024 * 1024;
export { DEFAULT_MAX_VALUE_BYTES };

/**
 * Bounds of a load. Loading a profile costs memory in proportion to its text (~9 bytes of
 * heap per byte), so the loader refuses a larger profile before it reads it, rather than
 * run out of heap after minutes.
 */
export interface ProfileLoadOptions {
  /**
   * Largest profile in bytes: one file, or all files of a directory together.
   * Default {@link DEFAULT_MAX_PROFILE_BYTES} (16 MiB); the CLI's `--max-profile-size`.
   */
  maxProfileBytes?: number;
  /**
   * Longest single value (any scalar) in UTF-8 bytes; every leaf value rides along in
   * the Informs that report it. Default {@link DEFAULT_MAX_VALUE_BYTES} (64 KiB); the
   * CLI's `--max-value-size`.
   */
  maxValueBytes?: number;
}

function limitsOf(options: ProfileLoadOptions): { maxProfileBytes: number } & ParseLimits {
  const check = (name: keyof ProfileLoadOptions, dflt: number): number => {
    const v = options[name];
    if (v === undefined) return dflt;
    if (!Number.isSafeInteger(v) || v < 1) throw new ConfigError(`loader option ${name}: expected a whole number of bytes ≥ 1, found ${String(v)}`);
    return v;
  };
  const maxProfileBytes = check('maxProfileBytes', DEFAULT_MAX_PROFILE_BYTES);
  return { maxProfileBytes, maxValueBytes: check('maxValueBytes', DEFAULT_MAX_VALUE_BYTES) };
}

function tooBig(file: string, bytes: number, max: number, what: string): ProfileProblem {
  return {
    file,
    key: '(file)',
    message: `${what} is ${formatBytes(bytes)}, more than the ${formatBytes(max, true)} limit for a profile; raise it with --max-profile-size (CPE_SIM_MAX_PROFILE_SIZE, config maxProfileSize) or the loader option maxProfileBytes`,
  };
}

function readProblem(file: string, err: unknown): ProfileProblem {
  const why = err instanceof Error ? err.message : String(err);
  // A missing profile: say where a relative path was looked for, and what is reachable by name.
  const notFound = (err as { code?: unknown }).code === 'ENOENT' ? `; looked for relative to ${process.cwd()}; shipped profiles, usable by name: ${shippedProfileNames().join(', ') || '(none found)'}` : '';
  return { file, key: '(file)', message: `cannot read the profile: ${why}${notFound}` };
}

/**
 * Loads and validates a profile: one `.yaml`/`.yml`/`.json` file, a directory whose
 * `*.yaml`/`*.yml` files (not starting with `.`) are merged in lexicographic order, or
 * the name of a shipped profile (`'tr181-digest'`: see `shippedProfileNames()`).
 *
 * @throws {ProfileError} listing EVERY problem found (file, line:col, key, message),
 * including unreadable files and YAML syntax errors.
 * @example
 * const profile = await loadProfile('tr181-digest');
 * profile.fleet.count // 3
 */
export async function loadProfile(path: string, options: ProfileLoadOptions = {}): Promise<Profile> {
  const limits = limitsOf(options);
  // A bare name of a shipped profile ('tr181-digest'), unless such a file exists here.
  if (!existsSync(path)) path = shippedProfilePath(path) ?? path;
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (err) {
    throw new ProfileError([readProblem(path, err)], path);
  }
  if (!st.isDirectory()) {
    // Refused before reading: a 105 MB profile must not cost its 4 GB of heap first.
    if (st.size > limits.maxProfileBytes) throw new ProfileError([tooBig(path, st.size, limits.maxProfileBytes, 'the file')], path);
    let text: string;
    try {
      text = await readBounded(path, limits.maxProfileBytes);
    } catch (err) {
      if (err instanceof ProfileError) throw err;
      throw new ProfileError([readProblem(path, err)], path);
    }
    return parseProfile(text, path, options);
  }
  let names: string[];
  try {
    names = (await readdir(path)).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.'));
  } catch (err) {
    throw new ProfileError([readProblem(path, err)], path);
  }
  // Lexicographic by code unit (what `ls` shows under LC_ALL=C), so 00-, 10-, 20- prefixes order the merge.
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) throw new ProfileError([{ file: path, key: '(directory)', message: 'the directory holds no *.yaml or *.yml files' }], path);
  const docs: ProfileDoc[] = [];
  const problems: ProfileProblem[] = [];
  let total = 0;
  for (const name of names) {
    const file = join(path, name);
    let text: string;
    try {
      const fst = await stat(file);
      if (!fst.isFile()) continue;
      total += fst.size;
      if (total > limits.maxProfileBytes) throw new ProfileError([tooBig(path, total, limits.maxProfileBytes, `the directory (up to and including ${name})`)], path);
      text = await readBounded(file, limits.maxProfileBytes);
    } catch (err) {
      if (err instanceof ProfileError) throw err;
      problems.push(readProblem(file, err));
      continue;
    }
    const parsed = parseYamlText(text, file, limits);
    problems.push(...parsed.problems);
    // A file that does not parse still takes its place in the order problems are reported in.
    docs.push({ file, tree: parsed.tree ?? null });
  }
  return buildProfile(docs, path, problems);
}

/**
 * Parses and validates one profile document (YAML, or JSON which is valid YAML).
 * `file` is used in problem positions and as `Profile.source`.
 *
 * @throws {ProfileError} listing every problem, YAML syntax errors included.
 * @example
 * parseProfile(await readFile('p.yaml', 'utf8'), 'p.yaml')
 */
export function parseProfile(text: string, file: string, options: ProfileLoadOptions = {}): Profile {
  const limits = limitsOf(options);
  // Cheap first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 > limits.maxProfileBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limits.maxProfileBytes) throw new ProfileError([tooBig(file, bytes, limits.maxProfileBytes, 'the text')], file);
  }
  const parsed = parseYamlText(text, file, limits);
  if (parsed.tree === undefined) throw new ProfileError(parsed.problems, file);
  return buildProfile([{ file, tree: parsed.tree }], file, parsed.problems);
}

/**
 * Validates an in-memory profile (the object `JSON.parse` or a YAML parser would
 * produce) with exactly the rules of {@link loadProfile}. Problems carry key paths but
 * no line/column.
 *
 * @throws {ProfileError} listing every problem.
 * @example
 * profileFromObject({ deviceIdPaths: {...}, parameters: [...] }, 'my-test')
 */
export function profileFromObject(obj: unknown, source = '<object>', options: Pick<ProfileLoadOptions, 'maxValueBytes'> = {}): Profile {
  const limits = limitsOf(options);
  const problems: ProfileProblem[] = [];
  const tree = fromObject(obj, source, '', problems, 0, limits);
  return buildProfile([{ file: source, tree }], source, problems);
}

/**
 * Reads a file that `stat` said was small enough, refusing it if it grew past `max`
 * meanwhile (or is a device/FIFO whose size `stat` does not know).
 */
async function readBounded(file: string, max: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > max) throw new ProfileError([tooBig(file, size, max, 'the file (at least)')], file);
      chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, size).toString('utf8');
  } finally {
    await fh.close();
  }
}

/**
 * Parses and validates an app manifest (ref §8.4: YAML, strict keys, only `app`,
 * `parameters`, `objects`, `groups`, `generators`). The caller bounds the text
 * (a manifest is fetched with a 4 MiB cap).
 *
 * @throws {ProfileError} listing every problem, YAML syntax errors included.
 * @example
 * parseManifest('app: {name: demo-app, version: 1.0}\nparameters: [{path: Device.X_Demo.On, type: xsd:boolean}]', 'http://files/demo.yaml')
 */
export function parseManifest(text: string, source: string, options: ProfileLoadOptions = {}): AppManifest {
  const limits = limitsOf(options);
  const parsed = parseYamlText(text, source, limits);
  if (parsed.tree === undefined) throw new ProfileError(parsed.problems, source);
  return buildManifest([{ file: source, tree: parsed.tree }], source, parsed.problems);
}
