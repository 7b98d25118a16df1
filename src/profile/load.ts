/**
 * Entry points of the loader: files, directories, text and in-memory objects all end
 * in the same validator ({@link buildProfile}).
 * @module
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ProfileError, type ProfileProblem } from '../errors/index.js';
import { fromObject, parseYamlText } from './nodes.js';
import type { Profile } from './types.js';
import { buildProfile, type ProfileDoc } from './validate.js';

function readProblem(file: string, err: unknown): ProfileProblem {
  const why = err instanceof Error ? err.message : String(err);
  return { file, key: '(file)', message: `cannot read the profile: ${why}` };
}

/**
 * Loads and validates a profile: one `.yaml`/`.yml`/`.json` file, or a directory whose
 * `*.yaml`/`*.yml` files (not starting with `.`) are merged in lexicographic order.
 *
 * @throws {ProfileError} listing EVERY problem found (file, line:col, key, message),
 * including unreadable files and YAML syntax errors.
 * @example
 * const profile = await loadProfile('fixtures/profiles/tr181-digest.yaml');
 * profile.fleet.count // 3
 */
export async function loadProfile(path: string): Promise<Profile> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new ProfileError([readProblem(path, err)], path);
  }
  if (!isDir) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new ProfileError([readProblem(path, err)], path);
    }
    return parseProfile(text, path);
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
  for (const name of names) {
    const file = join(path, name);
    let text: string;
    try {
      const st = await stat(file);
      if (!st.isFile()) continue;
      text = await readFile(file, 'utf8');
    } catch (err) {
      problems.push(readProblem(file, err));
      continue;
    }
    const parsed = parseYamlText(text, file);
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
export function parseProfile(text: string, file: string): Profile {
  const parsed = parseYamlText(text, file);
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
export function profileFromObject(obj: unknown, source = '<object>'): Profile {
  const problems: ProfileProblem[] = [];
  const tree = fromObject(obj, source, '', problems);
  return buildProfile([{ file: source, tree }], source, problems);
}
