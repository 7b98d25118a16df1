/**
 * The XML layer of the codec: a namespace-resolving element tree built on
 * fast-xml-parser (ordered mode), and XML escaping for the encoder. Internal to
 * `cwmp/` — the public face is `encodeEnvelope`/`decodeEnvelope`.
 * @module
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CwmpDecodeError, CwmpEncodeError } from './errors.js';

/** An attribute with its namespace resolved. */
export interface XmlAttribute {
  /** Namespace URI; undefined for unprefixed attributes (they are in no namespace). */
  ns: string | undefined;
  local: string;
  qname: string;
  value: string;
}

/** An element with its namespace resolved by URI, not by prefix. */
export interface XmlElement {
  /** Namespace URI; undefined when the element is in no namespace. */
  ns: string | undefined;
  local: string;
  qname: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** Concatenated character data (text with entities decoded, CDATA verbatim). */
  text: string;
  /** Slash path of local names from the root, for error messages. */
  path: string;
  /** Prefix → URI bindings in scope ('' = default namespace). */
  scope: ReadonlyMap<string, string>;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Nesting deeper than this is refused (a CWMP envelope needs about 8 levels). */
export const MAX_DEPTH = 64;

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// With the `u` flag a lone surrogate is one code point outside every range below.
const ILLEGAL_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false,
  // Values stay strings: `<OUI>001122</OUI>` must not become 1122 (cwmp-notes §1.6).
  parseTagValue: false,
  parseAttributeValue: false,
  // Whitespace inside a Value is data; whitespace between elements is ignored below.
  trimValues: false,
  // fast-xml-parser 5.12 leaves numeric character references undecoded and drops
  // some of them, so entities are decoded here (decodeEntities), CDATA kept apart.
  processEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
  // No callback of ours reads the tag path: without this, fast-xml-parser renders the
  // path string of every text node and attribute set (~1.5 % of a boot storm's CPU).
  jPath: false,
});

function clipMessage(msg: unknown): string {
  const s = String(msg).replace(/\s+/g, ' ');
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

function lineCol(xml: string, index: number): string {
  let line = 1;
  let last = -1;
  for (let i = 0; i < index; i++) {
    if (xml.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return `${line}:${index - last}`;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric character references (XML 1.0 §4.6, §4.1). */
export function decodeEntities(s: string, where: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&<]{0,12});?/g, (m, ref: string) => {
    if (!m.endsWith(';')) throw new CwmpDecodeError(`bare '&' in character data (write &amp;)`, where);
    if (ref.startsWith('#')) {
      const cp = /^#x[0-9a-fA-F]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
      if (!Number.isFinite(cp) || cp > 0x10ffff) throw new CwmpDecodeError(`invalid character reference &${ref};`, where);
      const ch = String.fromCodePoint(cp);
      if (ILLEGAL_XML_CHAR.test(ch)) throw new CwmpDecodeError(`character reference &${ref}; names a character XML 1.0 does not allow`, where);
      return ch;
    }
    const v = PREDEFINED[ref];
    if (v === undefined) throw new CwmpDecodeError(`unknown entity &${ref}; (only &lt; &gt; &amp; &quot; &apos; and character references are defined in SOAP)`, where);
    return v;
  });
}

type OrderedNode = Record<string, unknown>;

/** The prefix of a qualified name ('' for none). Two functions, not one returning a pair: see {@link XmlNode}. */
function qnamePrefix(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? '' : qname.slice(0, i);
}

/** The local part of a qualified name. */
function qnameLocal(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** The namespace URI of `prefix` in `scope`; undefined for none. Throws for an undeclared element prefix. */
function elementNs(scope: ReadonlyMap<string, string>, prefix: string, path: string): string | undefined {
  if (prefix === 'xml') return XML_NS;
  const uri = scope.get(prefix);
  if (prefix !== '' && (uri === undefined || uri === '')) throw new CwmpDecodeError(`namespace prefix ${JSON.stringify(prefix)} is not declared`, path);
  return uri === '' ? undefined : uri;
}

/** Unprefixed attributes are in no namespace; sloppy peers write e.g. soap-enc:arrayType without declaring soap-enc, which the codec never needs, so an unbound prefix is tolerated. */
function attributeNs(scope: ReadonlyMap<string, string>, prefix: string): string | undefined {
  if (prefix === '') return undefined;
  if (prefix === 'xml') return XML_NS;
  const uri = scope.get(prefix);
  return uri === '' ? undefined : uri;
}

const isNsDeclaration = (name: string): boolean => name === 'xmlns' || name.startsWith('xmlns:');

/**
 * Trees are built from classes and `slice()` copies, not object or array literals.
 * V8 decides per literal whether to allocate its objects straight in the old
 * generation ("allocation-site pretenuring"), judging from how many survived one
 * scavenge. When that scavenge falls at the start of a boot storm, every tree then
 * being decoded is still in use and the literals look long-lived; in runs where V8
 * decided so, each decoded envelope then landed in the old generation as garbage that
 * kept its young strings alive past every scavenge (docs/performance.md, fifth round).
 * Objects made by `new` on a class, and arrays made by builtins, carry no allocation
 * site. Node's own literals can do the same to sockets and requests, which is why the
 * cpe-sim command also turns pretenuring off (fleet/pretenuring.ts). (`declare`: the
 * constructors assign every field, so no class-field definitions run first.)
 */
class XmlNode implements XmlElement {
  declare ns: string | undefined;
  declare local: string;
  declare qname: string;
  declare attributes: XmlAttribute[];
  declare children: XmlElement[];
  declare text: string;
  declare path: string;
  declare scope: ReadonlyMap<string, string>;
  constructor(ns: string | undefined, local: string, qname: string, attributes: XmlAttribute[], path: string, scope: ReadonlyMap<string, string>) {
    this.ns = ns;
    this.local = local;
    this.qname = qname;
    this.attributes = attributes;
    this.children = NONE.slice();
    this.text = '';
    this.path = path;
    this.scope = scope;
  }
}

class XmlAttr implements XmlAttribute {
  declare ns: string | undefined;
  declare local: string;
  declare qname: string;
  declare value: string;
  constructor(ns: string | undefined, local: string, qname: string, value: string) {
    this.ns = ns;
    this.local = local;
    this.qname = qname;
    this.value = value;
  }
}

/** Copied with slice() for each new array (see {@link XmlNode}); never written to. */
const NONE: never[] = [];
/** Decoded attribute values of the start tag being opened, reused across calls. */
const ATTR_VALUES: string[] = [];

/**
 * An element with its name, namespace and attributes resolved; the caller adds its
 * children and text. `attrs` holds raw values, names in document order. Both parsers
 * below build their trees with it, so namespaces are resolved in one place.
 */
function openElement(qname: string, attrs: readonly string[], parentScope: ReadonlyMap<string, string>, parentPath: string, depth: number): XmlElement {
  if (depth > MAX_DEPTH) throw new CwmpDecodeError(`elements nested deeper than ${MAX_DEPTH} levels`, parentPath);
  const prefix = qnamePrefix(qname);
  const local = qnameLocal(qname);
  const path = parentPath ? `${parentPath}/${local}` : local;
  if (local === '' || local.includes(':')) throw new CwmpDecodeError(`element name ${JSON.stringify(qname)} is not a valid qualified name`, path);
  const attributes: XmlAttribute[] = NONE.slice();
  if (attrs.length === 0) return new XmlNode(elementNs(parentScope, prefix, path), local, qname, attributes, path, parentScope);
  // Values in document order first, so a bad reference is reported where it occurs.
  const values = ATTR_VALUES;
  values.length = 0;
  for (let k = 1; k < attrs.length; k += 2) values.push(decodeEntities(attrs[k] as string, path));
  // Namespace declarations next (Namespaces in XML §6.1: they apply to the element carrying them).
  let scope = parentScope;
  for (let k = 0; k < values.length; k++) {
    const name = attrs[2 * k] as string;
    if (!isNsDeclaration(name)) continue;
    if (scope === parentScope) scope = new Map(parentScope);
    (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), values[k] as string);
  }
  for (let k = 0; k < values.length; k++) {
    const name = attrs[2 * k] as string;
    const value = values[k] as string;
    if (isNsDeclaration(name)) {
      attributes.push(new XmlAttr(XMLNS_NS, name === 'xmlns' ? 'xmlns' : name.slice(6), name, value));
    } else {
      attributes.push(new XmlAttr(attributeNs(scope, qnamePrefix(name)), qnameLocal(name), name, value));
    }
  }
  values.length = 0; // its strings belong to the attributes now (a throw above leaves them to the next call)
  return new XmlNode(elementNs(scope, prefix, path), local, qname, attributes, path, scope);
}

/** The element tree of fast-xml-parser's ordered output. */
function build(node: OrderedNode, parentScope: ReadonlyMap<string, string>, parentPath: string, depth: number): XmlElement {
  let qname: string | undefined;
  for (const k in node) {
    if (k !== ':@') {
      qname = k;
      break;
    }
  }
  if (qname === undefined) throw new CwmpDecodeError('internal: element without a name', parentPath);
  const attrs: string[] = [];
  const rawAttrs = node[':@'] as Record<string, unknown> | undefined;
  if (rawAttrs) for (const k in rawAttrs) attrs.push(k, String(rawAttrs[k]));
  const el = openElement(qname, attrs, parentScope, parentPath, depth);
  const content = node[qname];
  if (Array.isArray(content)) {
    for (const item of content as OrderedNode[]) {
      if (typeof item !== 'object' || item === null) continue;
      if ('#text' in item) {
        el.text += decodeEntities(String(item['#text']), el.path);
      } else if ('#cdata' in item) {
        const inner = item['#cdata'];
        if (Array.isArray(inner)) for (const t of inner as OrderedNode[]) if (t && '#text' in t) el.text += String(t['#text']);
      } else if (!('#comment' in item)) {
        el.children.push(build(item, el.scope, el.path, depth + 1));
      }
    }
  }
  return el;
}

// ---- the plain-XML fast path ---------------------------------------------------

/** Open elements of {@link parsePlainXml}: [start, length] of each name, reused across calls. */
const OPEN_NAMES = new Int32Array(2 * (MAX_DEPTH + 1));
/** Attribute names and raw values of the start tag being read, reused across calls (openElement keeps none of it). */
const TAG_ATTRS: string[] = [];
/** The open elements of {@link parsePlainXml}, innermost last, reused across calls (see {@link XmlNode}). */
const OPEN_ELEMENTS: XmlElement[] = [];
/**
 * Names fast-xml-parser refuses or renames to keep them off object prototypes. A
 * document using one as an element or attribute name leaves the fast path, so the
 * library's own verdict stands for it.
 */
const LIBRARY_GUARDED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

const XML_DECLARATION = /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.[0-9]+\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isNameStart = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x3a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
const isWord = (c: number): boolean => isNameStart(c) || isDigit(c);

function sameSlice(s: string, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (s.charCodeAt(a + k) !== s.charCodeAt(b + k)) return false;
  return true;
}

/**
 * The element tree of the plain XML that CWMP peers send, in one pass, or undefined
 * for anything outside that subset. The subset: an optional leading `<?xml …?>`,
 * ASCII names, `name="value"` attributes (no duplicates, no `<`, `>` or `&` in
 * values), entity and character references in text, properly nested elements, one
 * root. Comments, CDATA, other PIs, unusual names or spacing, a name fast-xml-parser
 * guards, any decoding error: undefined, and {@link parseXml} takes the library path
 * (XMLValidator, then XMLParser), whose verdict and error messages stay the authority.
 *
 * Why it exists: fast-xml-parser took ~120 µs for a 2.4 KB Inform, and its validator
 * ~50 µs more; decoding was the largest share of cpe-sim's own CPU in a boot storm and
 * in a CR round trip (docs/performance.md). Two properties are tested on mutated
 * envelopes (test/cwmp/wellformed.test.ts): it never returns a tree for input
 * XMLValidator rejects, and every tree it returns equals the library path's.
 */
export function parsePlainXml(xml: string): XmlElement | undefined {
  // fast-xml-parser normalises line ends the same way (XML 1.0 §2.11).
  const s = xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml;
  try {
    return scanPlain(s);
  } catch (err) {
    if (err instanceof CwmpDecodeError) return undefined;
    throw err;
  } finally {
    // Their slices and elements would keep this document alive until the next parse.
    TAG_ATTRS.length = 0;
    OPEN_ELEMENTS.length = 0;
  }
}

function scanPlain(s: string): XmlElement | undefined {
  const n = s.length;
  let i = 0;
  if (s.startsWith('<?xml')) {
    // Only a declaration of the XML 1.0 grammar (§2.8 XMLDecl); anything else is the library's to judge.
    const decl = XML_DECLARATION.exec(s);
    if (!decl) return undefined;
    i = decl[0].length;
  }
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  const open = OPEN_ELEMENTS;
  let root: XmlElement | undefined;
  let depth = 0;
  let rootDone = false;
  while (i < n) {
    // At a tag: '<' is at i.
    if (rootDone || s.charCodeAt(i) !== 0x3c) return undefined;
    i++;
    if (s.charCodeAt(i) === 0x2f) {
      // Closing tag: '</' Name S* '>' matching the innermost open element.
      i++;
      const start = i;
      if (!isNameStart(s.charCodeAt(i))) return undefined;
      while (i < n && isNameChar(s.charCodeAt(i))) i++;
      const len = i - start;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (s.charCodeAt(i) !== 0x3e || depth === 0) return undefined;
      depth--;
      if (OPEN_NAMES[2 * depth + 1] !== len || !sameSlice(s, OPEN_NAMES[2 * depth]!, start, len)) return undefined;
      open.pop();
      i++;
      if (depth === 0) rootDone = true;
    } else {
      // Start tag: '<' Name (S+ Name '="' value '"')* S* ('/>' | '>').
      const start = i;
      if (!isNameStart(s.charCodeAt(i))) return undefined;
      while (i < n && isNameChar(s.charCodeAt(i))) i++;
      const nameLen = i - start;
      const firstAttr = i;
      let selfClosing = false;
      for (;;) {
        const spaced = isSpace(s.charCodeAt(i));
        while (i < n && isSpace(s.charCodeAt(i))) i++;
        const c = s.charCodeAt(i);
        if (c === 0x3e) break;
        if (c === 0x2f) {
          if (s.charCodeAt(i + 1) !== 0x3e) return undefined;
          selfClosing = true;
          i++;
          break;
        }
        if (!spaced || !isNameStart(c)) return undefined;
        const an = i;
        while (i < n && isNameChar(s.charCodeAt(i))) i++;
        const anLen = i - an;
        const q = s.charCodeAt(i + 1);
        if (s.charCodeAt(i) !== 0x3d || (q !== 0x22 && q !== 0x27)) return undefined;
        // Duplicate attribute names are not well-formed (XML 1.0 §3.1): compare with the earlier ones.
        for (let j = firstAttr; ; ) {
          while (isSpace(s.charCodeAt(j))) j++;
          if (j >= an) break;
          const bn = j;
          while (isNameChar(s.charCodeAt(j))) j++;
          if (j - bn === anLen && sameSlice(s, bn, an, anLen)) return undefined;
          const bq = s.charCodeAt(j + 1);
          j = s.indexOf(bq === 0x22 ? '"' : "'", j + 2) + 1;
        }
        i += 2;
        const valueStart = i;
        for (; i < n; i++) {
          const v = s.charCodeAt(i);
          if (v === q) break;
          if (v === 0x3c || v === 0x3e || v === 0x26) return undefined;
        }
        if (i >= n) return undefined;
        const name = s.slice(an, an + anLen);
        if (LIBRARY_GUARDED_NAMES.has(name)) return undefined;
        TAG_ATTRS.push(name, s.slice(valueStart, i));
        i++;
      }
      if (i >= n || depth > MAX_DEPTH) return undefined;
      i++;
      const qname = s.slice(start, start + nameLen);
      if (LIBRARY_GUARDED_NAMES.has(qname)) return undefined;
      const parent = depth > 0 ? open[depth - 1] : undefined;
      const el = parent ? openElement(qname, TAG_ATTRS, parent.scope, parent.path, depth) : openElement(qname, TAG_ATTRS, new Map(), '', 0);
      TAG_ATTRS.length = 0; // empty for the next start tag
      if (parent) parent.children.push(el);
      else root = el;
      if (selfClosing) {
        if (depth === 0) rootDone = true;
      } else {
        OPEN_NAMES[2 * depth] = start;
        OPEN_NAMES[2 * depth + 1] = nameLen;
        open.push(el);
        depth++;
      }
    }
    // Character data up to the next tag: references must be complete.
    const textStart = i;
    let references = false;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x3c) {
        const d = s.charCodeAt(i + 1);
        if (d === 0x21 || d === 0x3f) return undefined; // comment, CDATA, PI: the library path decides
        break;
      }
      if (depth === 0 && !isSpace(c)) return undefined;
      if (c !== 0x26) continue;
      references = true;
      i++;
      if (s.charCodeAt(i) === 0x23) {
        i++;
        const hex = s.charCodeAt(i) === 0x78;
        if (hex) i++;
        const from = i;
        while (i < n && (hex ? isHex(s.charCodeAt(i)) : isDigit(s.charCodeAt(i)))) i++;
        if (i === from || s.charCodeAt(i) !== 0x3b) return undefined;
      } else {
        const from = i;
        while (i < n && i - from < 19 && isWord(s.charCodeAt(i))) i++;
        if (i === from || s.charCodeAt(i) !== 0x3b) return undefined;
      }
    }
    if (depth > 0 && i > textStart) {
      const el = open[depth - 1]!;
      const raw = s.slice(textStart, i);
      el.text += references ? decodeEntities(raw, el.path) : raw;
    }
  }
  return rootDone && depth === 0 ? root : undefined;
}

/**
 * Parses `xml` into the root element with namespaces resolved.
 * Rejects (CwmpDecodeError): characters XML 1.0 forbids, a DOCTYPE (SOAP 1.1 §3: a
 * SOAP message MUST NOT contain one; it also closes the entity-expansion door),
 * anything not well-formed, and nesting beyond {@link MAX_DEPTH}.
 */
export function parseXml(xml: string): XmlElement {
  if (typeof xml !== 'string') throw new CwmpDecodeError(`expected the envelope as a string, got ${xml === null ? 'null' : typeof xml}`);
  let text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (text.trim() === '') throw new CwmpDecodeError('not XML: the input is empty');
  const bad = ILLEGAL_XML_CHAR.exec(text);
  if (bad) {
    const cp = bad[0].codePointAt(0) ?? 0;
    throw new CwmpDecodeError(`not XML: character U+${cp.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML 1.0`, lineCol(text, bad.index));
  }
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) throw new CwmpDecodeError('a SOAP message must not contain a DOCTYPE declaration (SOAP 1.1 §3)', lineCol(text, doctype.index));
  // A leading XML declaration must be the very first thing; tolerate leading whitespace
  // (seen from some ACSs) by trimming it before validation.
  text = text.replace(/^\s+(?=<\?xml)/, '');
  return parsePlainXml(text) ?? parseXmlWithLibrary(text);
}

/**
 * @internal The library path of {@link parseXml} (XMLValidator, then fast-xml-parser),
 * for input the fast path leaves alone; exported so tests can compare the two paths.
 */
export function parseXmlWithLibrary(text: string): XmlElement {
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  } catch (e) {
    throw new CwmpDecodeError(`not XML: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    // The validator may echo the whole open-tag stack: keep the message one readable line.
    const where = typeof line === 'number' ? (typeof col === 'number' ? `${line}:${col}` : `line ${line}`) : undefined;
    throw new CwmpDecodeError(`not well-formed XML: ${clipMessage(msg)}`, where);
  }
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (e) {
    throw new CwmpDecodeError(`not XML: ${clipMessage((e as Error).message)}`, undefined, { cause: e });
  }
  const roots = Array.isArray(doc) ? (doc as OrderedNode[]).filter((n) => typeof n === 'object' && n !== null && !('#text' in n) && !('#comment' in n) && !('#cdata' in n)) : [];
  if (roots.length === 0) throw new CwmpDecodeError('not XML: no root element');
  if (roots.length > 1) throw new CwmpDecodeError('not XML: more than one root element');
  return build(roots[0] as OrderedNode, new Map(), '', 0);
}

/** The first child element with this local name (children are unqualified in CWMP, so any namespace matches). */
export function childNamed(el: XmlElement, local: string): XmlElement | undefined {
  return el.children.find((c) => c.local === local);
}

/** Resolves a QName-valued attribute value (e.g. `xsi:type="xsd:string"`) in the element's scope. */
export function resolveQNameValue(el: XmlElement, value: string): { ns: string | undefined; local: string } {
  const q = value.trim();
  const uri = el.scope.get(qnamePrefix(q));
  return { ns: uri === '' ? undefined : uri, local: qnameLocal(q) };
}

// ---- encoding ---------------------------------------------------------------

/**
 * Escapes character data for XML 1.0. `&`, `<`, `>`, `"` and `'` become entities;
 * CR becomes `&#13;` so it survives the parser's line-end normalisation (XML 1.0 §2.11).
 * Throws {@link CwmpEncodeError} for characters XML 1.0 cannot carry at all.
 */
export function escapeXml(value: string, where: string): string {
  const bad = ILLEGAL_XML_CHAR.exec(value);
  if (bad) {
    const cp = bad[0].codePointAt(0) ?? 0;
    throw new CwmpEncodeError(
      `${where}: value contains U+${cp.toString(16).toUpperCase().padStart(4, '0')} at index ${bad.index}, which XML 1.0 cannot carry (not even as a character reference)`,
    );
  }
  return value.replace(/[&<>"'\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : c === "'" ? '&apos;' : '&#13;'));
}
