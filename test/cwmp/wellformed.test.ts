import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '../../src/cwmp/index.js';
import { parsePlainXml, parseXml, parseXmlWithLibrary, type XmlElement } from '../../src/cwmp/xml.js';
import { SAMPLES } from './samples.js';

// parsePlainXml lets the decoder skip fast-xml-parser (validator and parser) for plain
// XML. It may say "not mine" (undefined) for well-formed input, but it must never
// return a tree where the validator says no (that would let malformed XML through),
// and every tree it returns must equal the one the library path builds.
const validates = (s: string): boolean => XMLValidator.validate(s, { allowBooleanAttributes: false }) === true;

function libraryTree(s: string): XmlElement | Error {
  try {
    return parseXmlWithLibrary(s);
  } catch (err) {
    return err as Error;
  }
}

/** The fast path's tree for `s`, checked against the library path; undefined when it declined. */
function fastTree(s: string): XmlElement | undefined {
  const fast = parsePlainXml(s);
  if (fast === undefined) return undefined;
  if (!validates(s)) throw new Error(`fast path returned a tree for what XMLValidator rejects: ${JSON.stringify(s)}`);
  const lib = libraryTree(s);
  if (lib instanceof Error) throw new Error(`fast path returned a tree where the library path threw ${lib.message}: ${JSON.stringify(s)}`);
  expect(fast, JSON.stringify(s)).toEqual(lib);
  return fast;
}

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function xmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? xmlFiles(join(dir, e.name)) : e.name.endsWith('.xml') ? [readFileSync(join(dir, e.name), 'utf8')] : [],
  );
}

const encoded = SAMPLES.map((m) => encodeEnvelope(m, { header: { id: 'x&y<1>' } }));
const captured = xmlFiles(join(import.meta.dirname, '../../fixtures/cwmp'));

describe('parsePlainXml (decoder fast path)', () => {
  it('takes every envelope our encoder writes, so the fast path is the common path, and builds the same tree', () => {
    for (const xml of encoded) expect(fastTree(xml), xml.slice(0, 300)).toBeDefined();
  });

  it('never returns a tree XMLValidator rejects, nor one that differs from the library path: captured fixtures and mutations of them', () => {
    const corpus = [...encoded, ...captured];
    expect(captured.length).toBeGreaterThan(0);
    const capturedFast = captured.filter((xml) => fastTree(xml) !== undefined).length;
    expect(capturedFast).toBeGreaterThan(captured.length / 2);
    const r = rng(7);
    const chars = `<>/&;:"'=#x \n\r?!-[]a`;
    let accepted = 0;
    for (let i = 0; i < 6000; i++) {
      const arr = [...(corpus[i % corpus.length] as string)];
      const edits = 1 + Math.floor(r() * 3);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(r() * arr.length);
        const ch = chars[Math.floor(r() * chars.length)] as string;
        const op = r();
        if (op < 0.4) arr[at] = ch;
        else if (op < 0.7) arr.splice(at, 0, ch);
        else arr.splice(at, 1);
      }
      if (fastTree(arr.join('')) !== undefined) accepted++;
    }
    // Many mutations land in character data and stay well-formed: the property was exercised.
    expect(accepted).toBeGreaterThan(100);
  });

  it.each([
    ['duplicate attribute', '<a x="1" x="2"/>'],
    ['duplicate attribute, other quotes', `<a x="1" y='2' x='3'></a>`],
    ['unquoted attribute', '<a x=1/>'],
    ['boolean attribute', '<a x/>'],
    ['attributes without a space', '<a x="1"y="2"/>'],
    ['open quote', '<a x="1/>'],
    ['mismatched close', '<a><b></a></b>'],
    ['close of a prefix of the name', '<ab></a>'],
    ['unclosed', '<a><b></b>'],
    ['two roots', '<a/><b/>'],
    ['text after the root', '<a/>x'],
    ['text before the root', 'x<a/>'],
    ['bare ampersand', '<a>x & y</a>'],
    ['empty reference', '<a>&;</a>'],
    ['empty character reference', '<a>&#;</a>'],
    ['reference without ;', '<a>&amp</a>'],
    ['< in an attribute value', '<a x="<"/>'],
    ['declaration not at the start', '<a/><?xml version="1.0"?>'],
    ['space after <', '< a/>'],
    ['empty input', ''],
  ])('says no to: %s', (_why, xml) => {
    expect(parsePlainXml(xml)).toBeUndefined();
  });

  it('leaves comments, CDATA and other processing instructions to XMLValidator', () => {
    for (const xml of ['<a><!-- c --></a>', '<a><![CDATA[x]]></a>', '<a><?pi x?></a>', '<!-- c --><a/>']) {
      expect(validates(xml)).toBe(true);
      expect(parsePlainXml(xml)).toBeUndefined();
    }
  });

  it('decodes references, skips a declaration and takes self-closing tags and spacing XMLValidator accepts', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<a:b xmlns:a="u"><c d=\'1\' e="2" /><f >&lt;&#10;&#x1F600;&amp;x</f ></a:b>\n';
    const root = fastTree(xml);
    expect(root).toMatchObject({ ns: 'u', local: 'b', qname: 'a:b', path: 'b' });
    expect(root?.children.map((c) => c.local)).toEqual(['c', 'f']);
    expect(root?.children[0]?.attributes.map((a) => [a.qname, a.value])).toEqual([['d', '1'], ['e', '2']]);
    expect(root?.children[1]?.text).toBe('<\n\u{1F600}&x');
  });

  it('keeps whitespace and text around children, and ends lines as the library does (CR LF and CR become LF)', () => {
    const root = fastTree('<a x="1\r\n2"> <b>x</b> y <c/>\r\nl1\rl2</a>');
    expect(root?.text).toBe('  y \nl1\nl2');
    expect(root?.attributes[0]?.value).toBe('1\n2');
  });

  it('leaves names fast-xml-parser guards (prototype keys) to the library, whose verdict stands', () => {
    for (const xml of ['<constructor/>', '<a><toString/></a>', '<a __proto__="1"/>', '<a valueOf="1"/>']) {
      expect(parsePlainXml(xml)).toBeUndefined();
    }
    expect(() => parseXml('<constructor/>')).toThrow(/not XML/);
  });

  it('declines on a decoding error, so the error comes from the library path with its wording', () => {
    for (const [xml, error] of [
      ['<p:a/>', /namespace prefix "p" is not declared/],
      ['<a>&nbsp;</a>', /unknown entity &nbsp;/],
      ['<a:b:c xmlns:a="u"/>', /is not a valid qualified name/],
      ['<a x="&#0;"/>', /./],
    ] as const) {
      expect(parsePlainXml(xml)).toBeUndefined();
      expect(() => parseXml(xml)).toThrow(error);
    }
  });
});
