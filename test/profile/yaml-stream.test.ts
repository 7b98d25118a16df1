/**
 * The streaming YAML reader (src/profile/yaml-stream.ts, issue 20): a profile is parsed
 * in batches of finished items, never as one whole syntax tree. These tests check that
 * the batches put together give exactly what the yaml library gives for the whole text,
 * that what the cut could break (duplicate keys across batches, aliases to anchors in
 * other batches, positions) still holds, and that memory stays proportional to the text.
 */
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { Composer, parse, parseDocument, type CST } from 'yaml';
import { bigProfile } from '../../bench/lib/big-profile.mjs';
import type { PNode } from '../../src/profile/nodes.js';
import { parseProfile } from '../../src/profile/index.js';
import { parseYamlText } from '../../src/profile/yaml-stream.js';

/** The tree as plain JS, for comparison with `yaml.parse`. */
function js(n: PNode | null | undefined): unknown {
  if (n === null || n === undefined) return n;
  if (n.kind === 'seq') return n.items.map(js);
  if (n.kind === 'map') return Object.fromEntries(n.entries.map((e) => [e.key, js(e.value)]));
  return n.value;
}

/** CST tokens under `t` (the document the composer is handed). */
function tokens(t: CST.Token | undefined): number {
  if (!t || typeof t !== 'object') return 0;
  let n = 1;
  if ('items' in t) for (const it of t.items as Array<Record<string, unknown>>) for (const v of Object.values(it)) n += Array.isArray(v) ? v.reduce((s: number, x: CST.Token) => s + tokens(x), 0) : tokens(v as CST.Token);
  if ('value' in t) n += tokens(t.value as CST.Token | undefined);
  return n;
}

function parsed(text: string): PNode {
  const r = parseYamlText(text, 'p.yaml');
  expect(r.problems).toEqual([]);
  return r.tree!;
}

/** A long block list of flow rows, with comments (also indented ones) between the rows. */
function rows(n: number, indent = '  ', row = (i: number): string => `{path: "Device.X.${i}", value: "v${i}", writable: ${i % 2 === 0}}`): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 17 === 0) out.push(`${indent}# comment before row ${i}`);
    out.push(`${indent}- ${row(i)}`);
    if (i % 23 === 0) out.push(`${indent}    # indented comment after row ${i}`);
  }
  return out.join('\n');
}

describe('batches give what the whole document gives', () => {
  it('a generated profile of 120 KB (flow rows, tables in block style, generators)', () => {
    const text = bigProfile(120 * 1024);
    expect(js(parsed(text))).toEqual(parse(text, { merge: false, maxAliasCount: -1 }));
  });

  it('long block mappings and lists at every depth, block scalars, anchors and aliases, indented comments', () => {
    const keys = Array.from({ length: 300 }, (_, i) => `  key${i}: ${i % 3 === 0 ? `"quoted ${i}"` : i % 3 === 1 ? i : `|\n    block ${i}\n    line two`}`).join('\n');
    const nested = Array.from({ length: 150 }, (_, i) => `  - name: item${i}\n    tags:\n${Array.from({ length: i % 5 === 0 ? 80 : 2 }, (_, j) => `      - t${j}`).join('\n')}`).join('\n');
    const text = `base: &base {type: xsd:string, writable: true}\nmap:\n${keys}\nlist:\n${nested}\nrows:\n${rows(400)}\nreuse:\n${Array.from({ length: 100 }, () => '  - *base').join('\n')}\n`;
    expect(js(parsed(text))).toEqual(parse(text, { merge: false, maxAliasCount: -1 }));
  });

  it('a few big flow values are cut by size, not only by count', () => {
    const flow = (k: number): string => `[${Array.from({ length: 6000 }, (_, i) => `"${k}-${i}"`).join(', ')}]`;
    const text = Array.from({ length: 5 }, (_, k) => `k${k}: ${flow(k)}`).join('\n') + '\n';
    expect(text.length).toBeGreaterThan(256 * 1024);
    expect(js(parsed(text))).toEqual(parse(text, { merge: false, maxAliasCount: -1 }));
  });

  it('a JSON profile (one flow mapping) is composed in batches and gives what the whole document gives', () => {
    const text = JSON.stringify(parse(bigProfile(120 * 1024)), null, 1);
    const batches: number[] = [];
    const next = Composer.prototype.next;
    Composer.prototype.next = function (this: Composer, token: CST.Token) {
      if (token.type === 'document') batches.push(tokens(token.value));
      return next.call(this, token);
    };
    try {
      expect(js(parsed(text))).toEqual(JSON.parse(text));
    } finally {
      Composer.prototype.next = next;
    }
    // ~41,000 tokens in all; a batch is at most 64 items of one list (an `objects` entry is ~200).
    expect(batches.reduce((a, b) => a + b, 0)).toBeGreaterThan(30_000);
    expect(batches.length).toBeGreaterThan(5);
    expect(Math.max(...batches)).toBeLessThan(15_000);
  });

  it('a long anchored flow sequence, explicit keys in a flow sequence, a long flow mapping in a block list, a JSON second document', () => {
    const many = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join(', ');
    for (const text of [
      `a: &big [${many(300, (i) => `${i}`)}]\nb: *big\n`,
      `[${many(300, (i) => `? k${i} : v${i}`)}]\n`,
      `- x\n- {${many(300, (i) => `k${i}: v${i}`)}}\n`,
      `{"a": [\n${many(300, (i) => `"${'x'.repeat(i % 50)}"`)}\n], "b": 1}\n`,
    ]) {
      expect(js(parsed(text))).toEqual(parse(text, { merge: false, maxAliasCount: -1 }));
    }
    expect(js(parsed(`a: [${many(300, (i) => `{k: ${i}}`)}]\n---\n[${many(300, (i) => `${i}`)}]\n`))).toEqual({ a: Array.from({ length: 300 }, (_, i) => ({ k: i })) });
  });

  it('flow sequences of plain scalars, pairs, nested collections, comments, anchors and aliases, across batches', () => {
    let anchor = -1;
    const items = Array.from({ length: 400 }, (_, i) => {
      if (i % 7 === 0) return `a${i}: b${i}`;
      if (i % 11 === 0) return `{x: ${i}, y: [${i}, "${i}"]}`;
      if (i % 13 === 0) return `&n${(anchor = i)} plain ${i}`;
      if (i % 17 === 0 && anchor >= 0) return `*n${anchor}`;
      return i % 5 === 0 ? `'single ${i}' # c${i}\n ` : `${i}`;
    });
    const text = `s: [${items.join(', ')}, ]\nm: {${Array.from({ length: 300 }, (_, i) => `k${i}: [${i}]`).join(',\n  ')}}\n`;
    expect(js(parsed(text))).toEqual(parse(text, { merge: false, maxAliasCount: -1 }));
  });

  it('positions inside a cut batch are the text positions', () => {
    const r = parseYamlText(`parameters:\n${rows(300)}\n`, 'p.yaml');
    const items = (r.tree as Extract<PNode, { kind: 'map' }>).entries[0]!.value as Extract<PNode, { kind: 'seq' }>;
    const lines = `parameters:\n${rows(300)}\n`.split('\n');
    const line = lines.findIndex((l) => l.includes('"Device.X.250"')) + 1;
    const path = (items.items[250] as Extract<PNode, { kind: 'map' }>).entries[0]!;
    expect(path.keyWhere).toEqual({ file: 'p.yaml', line, col: 6 });
    expect(path.value.where).toEqual({ file: 'p.yaml', line, col: 12 });
  });
});

describe('what the cut must not break', () => {
  it('a YAML syntax error deep in a long list is reported alone, at its line', () => {
    // The `}` of row 250 is missing: the parser notices on the next line, the report moves back to it.
    const body = rows(300).replace('{path: "Device.X.250", value: "v250", writable: true}', '{path: "Device.X.250", value: "v250", writable: true');
    const line = body.split('\n').findIndex((l) => l.includes('Device.X.250')) + 2;
    const r = parseYamlText(`parameters:\n${body}\n`, 'p.yaml');
    expect(r.tree).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: 'p.yaml', line, key: '(yaml)', message: expect.stringMatching(/^YAML syntax error/) });
  });

  it('a key repeated 200 keys later in the same mapping (another batch) is a duplicate, as in one document', () => {
    const keys = Array.from({ length: 250 }, (_, i) => `  k${i}: ${i}`);
    keys.splice(220, 0, '  k3: again');
    const r = parseYamlText(`m:\n${keys.join('\n')}\n`, 'p.yaml');
    expect(r.tree).toBeUndefined();
    expect(r.problems).toEqual([{ file: 'p.yaml', line: 222, col: 3, key: '(yaml)', message: 'YAML syntax error (DUPLICATE_KEY): Map keys must be unique' }]);
    // A repeat inside one batch (here the last, composed with the document) is reported once, by the composer.
    const near = [...keys.filter((k) => k !== '  k3: again'), '  k248: again'];
    expect(parseYamlText(`m:\n${near.join('\n')}\n`, 'p.yaml').problems).toEqual([{ file: 'p.yaml', line: 252, col: 3, key: '(yaml)', message: 'YAML syntax error (DUPLICATE_KEY): Map keys must be unique' }]);
    // Same keys in two different mappings are fine.
    expect(parseYamlText(`a:\n${keys.filter((k) => k !== '  k3: again').join('\n')}\nb:\n  k3: 1\n`, 'p.yaml').problems).toEqual([]);
  });

  it('an alias inside a long list to an anchor on the enclosing key (composed after the list) resolves', () => {
    const text = `objects:\n  - path: &p Device.Table\n    rows:\n${rows(200, '      ', () => '{ref: *p}')}\n`;
    expect(js(parsed(text))).toEqual(parse(text, { merge: false, maxAliasCount: -1 }));
  });

  it('an alias before its anchor is refused where it stands, as the last anchor before it counts', () => {
    const r = parseYamlText(`a:\n${rows(100, '  ', () => '*later')}\nb: &later x\n`, 'p.yaml');
    // Line 2 is rows()'s first comment.
    expect(r.problems[0]).toMatchObject({ line: 3, col: 5, message: 'alias *later has no anchor' });
    // Redefined anchors: each alias takes the one before it.
    expect(js(parsed(`a: &x 1\nb: *x\nc: &x 2\nd:\n${rows(100, '  ', () => '*x')}\n`))).toMatchObject({ b: 1, d: Array(100).fill(2) });
  });

  it('the alias bomb inside a long list is still refused alone', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [i, n] of [...'bcdefghi'].entries()) lines.push(`${n}: &${n} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`);
    const r = parseYamlText(`list:\n${rows(200)}\n${lines.join('\n')}\n`, 'p.yaml');
    expect(r.tree).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toMatch(/an alias bomb\?/);
  });

  it('errors in a long flow collection are those of the whole document, at the same line:col', () => {
    const list = (n: number, sep: (i: number) => string): string => `[${Array.from({ length: n }, (_, i) => `${sep(i)}"v${i}"`).join('')}]`;
    // A missing comma after every item in turn: some fall between two batches, most inside one.
    for (let at = 1; at < 300; at += 1) {
      const text = `k: ${list(300, (i) => (i === 0 ? '' : i === at ? ' ' : ', '))}\n`;
      const whole = parseDocument(text, { uniqueKeys: true, merge: false, prettyErrors: false }).errors[0]!;
      const r = parseYamlText(text, 'p.yaml');
      expect(r.tree).toBeUndefined();
      expect(r.problems).toEqual([{ file: 'p.yaml', line: 1, col: whole.pos[0] + 1, key: '(yaml)', message: `YAML syntax error (${whole.code}): ${whole.message.split('\n')[0]}` }]);
    }
    // The same in a flow mapping, and an empty item (two commas), on either side of a batch's end.
    for (const at of [70, 100, 150]) {
      const map = `a: {${Array.from({ length: 300 }, (_, i) => `${i === 0 ? '' : i === at ? ' ' : ', '}k${i}: v${i}`).join('')}}\n`;
      const empty = `a: [${Array.from({ length: 300 }, (_, i) => `${i === 0 ? '' : i === at ? ', , ' : ', '}v${i}`).join('')}]\n`;
      for (const text of [map, empty]) {
        const whole = parseDocument(text, { uniqueKeys: true, merge: false, prettyErrors: false }).errors[0]!;
        expect(parseYamlText(text, 'p.yaml').problems).toEqual([{ file: 'p.yaml', line: 1, col: whole.pos[0] + 1, key: '(yaml)', message: `YAML syntax error (${whole.code}): ${whole.message.split('\n')[0]}` }]);
      }
    }
    // Never closed: one problem, as for a short one.
    const open = parseYamlText(`k: ${list(300, (i) => (i === 0 ? '' : ', ')).slice(0, -1)}\n`, 'p.yaml');
    expect(open.tree).toBeUndefined();
    expect(open.problems).toHaveLength(1);
    expect(open.problems[0]!.message).toMatch(/^YAML syntax error \(\w+\): Flow sequence .*end with a \]/);
    // A key repeated 200 keys later in one flow mapping (another batch) is a duplicate.
    const keys = Array.from({ length: 250 }, (_, i) => `"k${i}": ${i}`);
    keys.splice(220, 0, '"k3": 0');
    const dup = parseYamlText(`{${keys.join(',\n')}}\n`, 'p.json');
    expect(dup.problems).toEqual([{ file: 'p.json', line: 221, col: 1, key: '(yaml)', message: 'YAML syntax error (DUPLICATE_KEY): Map keys must be unique' }]);
  });
});

describe('the validator releases the list items it has read', () => {
  it('but not those of a list an alias also reaches', () => {
    const text = `deviceIdPaths: {manufacturer: Device.DeviceInfo.Manufacturer, oui: Device.DeviceInfo.ManufacturerOUI, productClass: Device.DeviceInfo.ProductClass, serialNumber: Device.DeviceInfo.SerialNumber}
parameters: &p
  - {path: Device.DeviceInfo.Manufacturer, value: M}
  - {path: Device.DeviceInfo.ManufacturerOUI, value: "00D09E"}
  - {path: Device.DeviceInfo.ProductClass, value: P}
  - {path: Device.DeviceInfo.SerialNumber, value: S}
objects:
  - {path: Device.Copy, instances: 1, parameters: *p}
`;
    const profile = parseProfile(text, 'p.yaml');
    expect(profile.parameters.map((l) => l.path)).toHaveLength(4);
    expect(profile.objects[0]!.parameters.map((l) => l.path)).toEqual(['DeviceInfo.Manufacturer', 'DeviceInfo.ManufacturerOUI', 'DeviceInfo.ProductClass', 'DeviceInfo.SerialNumber'].map((x) => `Device.${x}`));
  });
});

describe('memory (issue 20: proportional to the profile, not several times it)', () => {
  let restore = (): void => {};
  afterEach(() => restore());

  it('a 1 MiB profile is composed in small documents, and its tree holds less than 6 bytes per byte of text', () => {
    const text = bigProfile(1024 * 1024);
    let largest = 0;
    // Not vi.spyOn: a spy keeps every argument, and so the whole CST.
    const next = Composer.prototype.next;
    restore = () => (Composer.prototype.next = next);
    Composer.prototype.next = function (this: Composer, token: CST.Token) {
      if (token.type === 'document') largest = Math.max(largest, tokens(token.value));
      return next.call(this, token);
    };
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const r = parseYamlText(text, 'big.yaml');
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(r.problems).toEqual([]);
    // The whole document is over a million tokens; a batch is 64 rows of ~150.
    expect(largest).toBeGreaterThan(100);
    expect(largest).toBeLessThan(20_000);
    // ~4.3 bytes per byte measured; 6.7 with a MapEntry and a ScalarNode per
    // mapping entry; the yaml Document alone held 21.
    expect(retained / text.length).toBeLessThan(6);
    expect(r.tree).toBeDefined();
  }, 60_000);
});
