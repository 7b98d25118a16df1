/**
 * Injected misbehaviour: what a CPE does wrong on purpose, so an ACS can be tested
 * against the devices that break it (a slow answer, a fault, a dropped connection, a
 * lost cookie, a FritzBox-style new TCP connection after a 401 …). Data the session
 * runner consults at fixed points (docs/ARCHITECTURE: behaviour injection); every quirk
 * that fires is written to the session's `quirks` so a failing test shows what the
 * device did on purpose.
 * @module
 */
import { ConfigError } from '../errors/index.js';
import type { BehaviourQuirks } from '../profile/index.js';
import { BEHAVIOUR_KEYS } from '../profile/index.js';

/** A CPE's injected behaviour; defined with the profile's `behaviour` block, which uses the same options. */
export type Behaviour = BehaviourQuirks;

const MESSAGE_KEYS = ['neverAnswer', 'closeBefore', 'closeAfter', 'malformedXml', 'wrongId'] as const;
const FLAG_KEYS = ['dropCookies', 'reconnectAfter401', 'ignoreHoldRequests', 'earlyEmptyPost', 'http10'] as const;

/**
 * Checks `b` like every other option: a ConfigError naming the option and what was
 * expected. `where` prefixes the messages (`cpe.inject`, `fleet.inject`).
 */
export function checkBehaviour(b: unknown, where: string, extraKeys: readonly string[] = []): Behaviour {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new ConfigError(`${where}: expected an object of behaviours (${BEHAVIOUR_KEYS.join(', ')}), got ${b === null ? 'null' : Array.isArray(b) ? 'an array' : typeof b}`);
  const o = b as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!BEHAVIOUR_KEYS.includes(k) && !extraKeys.includes(k)) throw new ConfigError(`${where}: unknown behaviour ${JSON.stringify(k)}; expected one of ${[...BEHAVIOUR_KEYS, ...extraKeys].join(', ')}`);
  }
  const nameOk = (v: unknown): v is string => typeof v === 'string' && /^(?:\*|empty|[A-Z][A-Za-z]*)$/.test(v);
  for (const k of MESSAGE_KEYS) {
    if (o[k] !== undefined && !nameOk(o[k])) throw new ConfigError(`${where}: ${k} must be a message or RPC name such as 'Inform', 'GetParameterValuesResponse', 'empty' or '*', got ${JSON.stringify(o[k])}`);
  }
  for (const k of FLAG_KEYS) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new ConfigError(`${where}: ${k} must be true or false, got ${JSON.stringify(o[k])}`);
  }
  const d = o['delay'];
  if (d !== undefined) {
    const dd = d as Record<string, unknown>;
    if (typeof d !== 'object' || d === null || typeof dd['ms'] !== 'number' || !Number.isFinite(dd['ms']) || dd['ms'] < 0) throw new ConfigError(`${where}: delay must be { ms: number >= 0, rpc?: string }, got ${JSON.stringify(d)}`);
    if (dd['rpc'] !== undefined && !nameOk(dd['rpc'])) throw new ConfigError(`${where}: delay.rpc must be an RPC name such as 'GetParameterValues' or '*', got ${JSON.stringify(dd['rpc'])}`);
  }
  const f = o['fault'];
  if (f !== undefined) {
    const ff = f as Record<string, unknown>;
    if (typeof f !== 'object' || f === null || !nameOk(ff['rpc']) || !Number.isInteger(ff['code']) || (ff['code'] as number) < 9000 || (ff['code'] as number) > 9899) {
      throw new ConfigError(`${where}: fault must be { rpc: 'SetParameterValues' (or '*'), code: 9000..9899, string?: string }, got ${JSON.stringify(f)}`);
    }
    if (ff['string'] !== undefined && typeof ff['string'] !== 'string') throw new ConfigError(`${where}: fault.string must be a string, got ${JSON.stringify(ff['string'])}`);
  }
  const r = o['retryCount'];
  if (r !== undefined && (!Number.isInteger(r) || (r as number) < 0)) throw new ConfigError(`${where}: retryCount must be a whole number >= 0, got ${JSON.stringify(r)}`);
  const out: Record<string, unknown> = {};
  for (const k of BEHAVIOUR_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out as Behaviour;
}

/** True when `pattern` (a name or `'*'`) designates `name`. */
export function names(pattern: string | undefined, name: string): boolean {
  return pattern !== undefined && (pattern === '*' || pattern === name);
}
