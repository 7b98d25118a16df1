/**
 * A per-session cookie jar (TR-069 §3.4.2: the CPE returns the cookies the ACS set on
 * every later POST of the same session, and never carries them into the next one).
 * Deliberately minimal: name=value, `Path` prefix match, `Max-Age`/`Expires` as
 * deletion, no domain logic (there is exactly one origin per session).
 * @module
 */

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/**
 * Splits one `Set-Cookie` header value that may carry several cookies joined with
 * `,` (seen from real ACSs; GenieACS tolerates the same on input). A comma inside
 * `Expires=Wed, 21 Oct 2015 …` is not a separator: a separator is a comma followed by
 * a `name=` token.
 */
export function splitSetCookie(value: string): string[] {
  return value
    .split(/,(?=\s*[^;,=\s]+=)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Cookies of one CWMP session. */
export class CookieJar {
  private cookies: StoredCookie[] = [];
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Number of cookies held (for tests). */
  get size(): number {
    return this.cookies.length;
  }

  /** Stores every cookie of the response's `Set-Cookie` header(s). */
  store(setCookie: string | readonly string[] | undefined, requestPath: string): void {
    if (setCookie === undefined) return;
    const values = typeof setCookie === 'string' ? [setCookie] : setCookie;
    for (const v of values) for (const one of splitSetCookie(v)) this.storeOne(one, requestPath);
  }

  /** The `Cookie` header for a request to `path`, or undefined when none applies. */
  header(path: string): string | undefined {
    const matching = this.cookies.filter((c) => pathMatches(path, c.path));
    if (matching.length === 0) return undefined;
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  private storeOne(raw: string, requestPath: string): void {
    const [pair = '', ...attrs] = raw.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return; // RFC 6265 §5.2: no '=' or empty name → ignore the cookie
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    let path = defaultPath(requestPath);
    let expired = false;
    for (const a of attrs) {
      const i = a.indexOf('=');
      const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
      const val = i < 0 ? '' : a.slice(i + 1).trim();
      if (key === 'path' && val.startsWith('/')) path = val;
      else if (key === 'max-age' && /^-?\d+$/.test(val)) expired = Number(val) <= 0;
      else if (key === 'expires') {
        const t = Date.parse(val);
        if (!Number.isNaN(t) && t <= this.now()) expired = true;
      }
    }
    this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
    if (!expired) this.cookies.push({ name, value, path });
  }
}

/** RFC 6265 §5.1.3 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 §5.1.4 default-path. */
function defaultPath(requestPath: string): string {
  const p = requestPath.split('?')[0] ?? '/';
  if (!p.startsWith('/')) return '/';
  const last = p.lastIndexOf('/');
  return last <= 0 ? '/' : p.slice(0, last);
}
