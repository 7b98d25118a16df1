/**
 * A small structured logger. Every per-CPE line carries `cpe_id` (via `child`),
 * text by default, JSON lines on request. Fields whose key looks like a secret are
 * redacted here, at the single exit point, so no caller can leak a password by
 * accident (seed: "passwords never logged").
 * @module
 */

/** Log levels, most verbose first. `silent` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
/** Output format of each line. */
export type LogFormat = 'text' | 'json';
/** Structured fields attached to a line. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** The logging interface every layer receives. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ cpe_id: 'cpe-3' }`). */
  child(fields: LogFields): Logger;
  /** True when lines of `level` would be written (skip building costly messages). */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; default: process.stderr. */
  write?: (line: string) => void;
  /** Clock for timestamps; default Date.now. */
  now?: () => number;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET_KEY = /pass(word)?|secret|authorization|credential/i;

/**
 * `scheme://userinfo@` anywhere in a text. The userinfo runs to the LAST `@` before the
 * path, as WHATWG URL parsing takes it (`http://u:p@ss@h/` is user `u`, password `p@ss`).
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>\\]*)@/gi;

/**
 * Hides the credentials of every URL in `text` (RFC 3986 §3.2.1 deprecates them in
 * URLs for this reason): `http://acs:PW@127.0.0.1/cwmp` → `http://acs:***@127.0.0.1/cwmp`.
 * A userinfo without a password is hidden whole (it may be a token).
 * @example redactUrl('bad URL "http://acs:PW@h:9/cwmp"') // 'bad URL "http://acs:***@h:9/cwmp"'
 */
export function redactUrl(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(URL_USERINFO, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/** Redacts a value when its key names a secret, and URL credentials in any string. Exported for tests. */
export function redactField(key: string, value: LogFields[string]): LogFields[string] {
  if (SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') return '[redacted]';
  return typeof value === 'string' ? redactUrl(value) : value;
}

function quoteText(v: string): string {
  return /^[\w.:/@+-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
}

/**
 * Creates a logger.
 * @example
 * const log = createLogger({ level: 'info', format: 'json' }).child({ cpe_id: 'cpe-1' });
 * log.info('session done', { events: '1 BOOT' });
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const format = options.format ?? 'text';
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? Date.now;

  const make = (base: LogFields): Logger => {
    const emit = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
      if (ORDER[level] < min) return;
      const all: LogFields = { ...base, ...fields };
      const time = new Date(now()).toISOString();
      const msg = redactUrl(message);
      if (format === 'json') {
        const out: Record<string, unknown> = { time, level, msg };
        for (const [k, v] of Object.entries(all)) if (v !== undefined) out[k] = redactField(k, v);
        write(JSON.stringify(out));
      } else {
        let line = `${time} ${level.toUpperCase().padEnd(5)} ${msg}`;
        for (const [k, v] of Object.entries(all)) {
          if (v === undefined) continue;
          line += ` ${k}=${quoteText(String(redactField(k, v)))}`;
        }
        write(line);
      }
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
      enabled: (level) => ORDER[level] >= min,
    };
  };
  return make({});
}

/** A logger that writes nothing (the library default: libraries stay quiet unless asked). */
export const silentLogger: Logger = createLogger({ level: 'silent' });
