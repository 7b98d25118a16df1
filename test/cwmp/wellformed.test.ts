import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '../../src/cwmp/index.js';
import { isPlainWellFormed } from '../../src/cwmp/xml.js';
import { SAMPLES } from './samples.js';

// isPlainWellFormed lets the decoder skip fast-xml-parser's XMLValidator. It may say
// "not sure" (false) for well-formed input, but it must never say true where the
// validator says no: that would let malformed XML through.
const validates = (s: string): boolean => XMLValidator.validate(s, { allowBooleanAttributes: false }) === true;

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

describe('isPlainWellFormed (decoder fast path)', () => {
  it('accepts every envelope our encoder writes, so the fast path is the common path', () => {
    for (const xml of encoded) expect(isPlainWellFormed(xml), xml.slice(0, 300)).toBe(true);
  });

  it('never accepts what XMLValidator rejects: captured fixtures and mutations of them', () => {
    const corpus = [...encoded, ...captured];
    expect(captured.length).toBeGreaterThan(0);
    for (const xml of captured) if (isPlainWellFormed(xml)) expect(validates(xml)).toBe(true);
    const r = rng(7);
    const chars = `<>/&;:"'=#x \n?!-[]a`;
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
      const s = arr.join('');
      if (isPlainWellFormed(s)) {
        accepted++;
        if (!validates(s)) throw new Error(`fast path accepted what XMLValidator rejects: ${JSON.stringify(s)}`);
      }
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
    expect(isPlainWellFormed(xml)).toBe(false);
  });

  it('leaves comments, CDATA and other processing instructions to XMLValidator', () => {
    for (const xml of ['<a><!-- c --></a>', '<a><![CDATA[x]]></a>', '<a><?pi x?></a>', '<!-- c --><a/>']) {
      expect(validates(xml)).toBe(true);
      expect(isPlainWellFormed(xml)).toBe(false);
    }
  });

  it('accepts references, a declaration, self-closing tags and spacing XMLValidator accepts', () => {
    for (const xml of ['<?xml version="1.0" encoding="UTF-8"?>\n<a:b xmlns:a="u"><c d=\'1\' e="2" /><f >&lt;&#10;&#x1F600;&amp;x</f ></a:b>\n']) {
      expect(validates(xml)).toBe(true);
      expect(isPlainWellFormed(xml)).toBe(true);
    }
  });
});
