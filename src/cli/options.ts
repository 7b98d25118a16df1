/**
 * The simulator's settings: one table of options, read from four sources with the
 * precedence flag > environment (`CPE_SIM_*`) > config file (`--config`, YAML,
 * camelCase keys) > default. Every source is strict: an unknown flag, an unknown
 * `CPE_SIM_*` variable or an unknown config key is a {@link ConfigError} that names
 * the key and lists the valid ones, so a typo never silently falls back to a default.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../errors/index.js';
import { redactUrl, type LogFormat, type LogLevel } from '../log/index.js';
import { parseAdvertiseHost } from '../cr/index.js';
import { parseUspBroker } from '../fleet/index.js';
import { didYouMean, parseDuration, shippedProfilePath, yamlErrorOffset } from '../profile/index.js';

/** How an option's value is parsed. */
type OptionKind = 'string' | 'path' | 'url' | 'duration' | 'ramp' | 'count' | 'offset' | 'threads' | 'seed' | 'positive' | 'enum' | 'shard' | 'bindAddr' | 'crPath' | 'advertiseHost' | 'bytes' | 'boolean' | 'hostPort' | 'mqttBroker' | 'wsUrl';

/** One option of the simulator: its flag, env var and config key are derived from `flag`. */
export interface OptionSpec {
  /** Long flag without dashes, e.g. `acs-url`. */
  readonly flag: string;
  readonly kind: OptionKind;
  /** Allowed values of an `enum` option. */
  readonly values?: readonly string[];
  /** Default shown in `--help` (and applied when no source sets the option). */
  readonly default?: string;
  /** Placeholder for the value in `--help`. */
  readonly arg: string;
  readonly description: string;
  /** Never echoed back in errors or dumps. */
  readonly secret?: boolean;
  /** Not settable from a config file (only `config` itself). */
  readonly noConfig?: boolean;
}

/** Every option of `cpe-sim` (the simulator command), in `--help` order. */
export const OPTIONS: readonly OptionSpec[] = [
  { flag: 'profile', kind: 'path', arg: 'PATH', description: 'Profile file (.yaml/.yml/.json), directory of *.yaml files, or the name of a shipped profile (listed below). Required.' },
  { flag: 'max-profile-size', kind: 'bytes', arg: 'SIZE', default: '16MiB', description: 'Largest profile accepted (a file, or a directory\'s files together), e.g. 16MiB, 20MB or 8388608 bytes. Loading needs about 9× the file size in heap (RSS peaks near 20–30×), so a larger one is refused before it is read.' },
  { flag: 'max-value-size', kind: 'bytes', arg: 'SIZE', default: '64KiB', description: 'Longest single value in the profile, e.g. 64KiB; every value rides along in the Informs that report it.' },
  { flag: 'count', kind: 'count', arg: 'N', description: 'Number of CPEs; overrides the profile\'s fleet.count.' },
  { flag: 'acs-url', kind: 'url', arg: 'URL', description: 'ACS URL the CPEs inform (http/https). Absent: an embedded fake ACS is started on 127.0.0.1 and prints every message.' },
  { flag: 'acs-username', kind: 'string', arg: 'USER', description: 'Username the CPEs answer an ACS Basic/Digest challenge with. Without --acs-url the embedded ACS then demands it (Digest).' },
  { flag: 'acs-password', kind: 'string', arg: 'PASS', secret: true, description: 'Password for the ACS challenge (never logged).' },
  { flag: 'acs-timeout', kind: 'duration', arg: 'DURATION', default: '30s', description: 'Timeout of each HTTP exchange with the ACS, a Go duration (e.g. 30s, 1m30s).' },
  // ---- TLS towards an https: ACS (seed: --ca-cert-file, --tls-skip-verify) ----
  { flag: 'ca-cert-file', kind: 'path', arg: 'FILE', description: 'PEM file of the CA certificate(s) the ACS\'s HTTPS certificate must chain to (instead of the system store); also the USP broker\'s (mqtts://, wss:// --usp-broker) and the wss:// --usp-websocket Controller\'s.' },
  { flag: 'tls-skip-verify', kind: 'boolean', arg: '[true|false]', default: 'false', description: 'Accept any ACS (and TLS USP broker / Controller) certificate (tests only; a warning is logged at start-up). A bare --tls-skip-verify means true.' },
  { flag: 'tls-cert', kind: 'path', arg: 'FILE', description: 'Client certificate (PEM) for mutual TLS with the ACS and a TLS USP broker / Controller; {cpe_id} and {i} in the path give each CPE its own (certs/{cpe_id}.pem). Needs --tls-key.' },
  { flag: 'tls-key', kind: 'path', arg: 'FILE', description: 'Private key (PEM) of --tls-cert; the same {cpe_id}/{i} pattern.' },
  // ---- file transfers (CWMP Download/Upload, DU manifests, USP firmware, Backup/Restore) ----
  { flag: 'transfer-ca-file', kind: 'path', arg: 'FILE', description: 'PEM file of the CA certificate(s) (several may follow each other) that https: file servers must chain to, for every transfer a CPE makes: CWMP Download/Upload, DU manifests, USP firmware Download(), Backup()/Restore(). Without it they are checked against the system store; --ca-cert-file does not apply to them.' },
  { flag: 'transfer-timeout', kind: 'duration', arg: 'DURATION', description: 'Idle timeout of every file transfer (connecting, the response head, and between two chunks), a Go duration (e.g. 2m); a transfer silent that long fails (CWMP 9015 before the response head, USP 7022). Default 30s.' },
  { flag: 'cr-bind-addr', kind: 'bindAddr', arg: 'HOST:PORT', description: 'Enables the Connection Request listener on this address (":0" or "127.0.0.1:0" lets the OS pick a port; the bound address is logged). Implies daemon mode. Requires --cr-publish-path.' },
  { flag: 'cr-path', kind: 'crPath', arg: 'PATH', default: '/cr', description: 'URL path of the listener: <path> for one CPE, <path>/<cpe-id> for a fleet.' },
  { flag: 'cr-publish-path', kind: 'string', arg: 'PARAM', description: 'Parameter-tree leaf each CPE\'s Connection Request URL is written into before its first Inform (TR-181: Device.ManagementServer.ConnectionRequestURL; TR-098: InternetGatewayDevice.ManagementServer.ConnectionRequestURL).' },
  { flag: 'cr-advertise-host', kind: 'advertiseHost', arg: 'HOST[:PORT]', description: 'Host, or host:port ([IPv6]:port), put in the published Connection Request URLs instead of the bound address, for an ACS off this machine (NAT, container). A bare host keeps the bound port.' },
  { flag: 'cr-publish-host', kind: 'advertiseHost', arg: 'HOST[:PORT]', description: 'Older name of --cr-advertise-host (same values); give one of the two.' },
  // ---- NAT wake-up paths (TR-069 Annex G: UDP + STUN; Annex K: XMPP) ----
  { flag: 'udp-cr-bind-addr', kind: 'bindAddr', arg: 'HOST:PORT', description: 'Enables UDP Connection Requests (TR-069 Annex G) on this UDP address; one socket serves every CPE, found by the request\'s "un" (CR username). Each CPE publishes it in ManagementServer.UDPConnectionRequestAddress. Implies daemon mode.' },
  { flag: 'udp-cr-publish-host', kind: 'string', arg: 'HOST', description: 'Host written into UDPConnectionRequestAddress instead of the bind address.' },
  { flag: 'seed', kind: 'seed', arg: 'N', description: 'Root seed, a signed 64-bit integer: every random value of the fleet (placeholders, pools, generators, periodic-inform jitter, retry back-off) comes from per-CPE streams of it, so a seed replays a run. 0 or unset: a fresh seed, logged at start-up ("rng initialized root_seed=…").' },
  { flag: 'fleet-offset', kind: 'offset', arg: 'N', description: 'Shifts the global index of every CPE (cpe-<N+1>, …: ids, serials, placeholders, random streams, CR paths); overrides the profile\'s fleet.offset, even when 0. Processes sharing an ACS use disjoint windows.' },
  { flag: 'boot-ramp', kind: 'ramp', arg: 'DURATION', description: 'Spreads the first sessions: the CPE at position k of the N of this process starts at bootDelay + R·k/N. A Go duration >= 0; overrides the profile\'s eventSchedule.bootRamp, even when 0.' },
  { flag: 'concurrency', kind: 'threads', arg: 'N', description: 'Accepted for cpe-labs compatibility (a whole number >= 1) and ignored: cpe-sim sizes its boot concurrency itself (see --workers for cores).' },
  { flag: 'stun-server', kind: 'hostPort', arg: 'HOST:PORT', description: 'Enables STUN (TR-111 Part 2): every CPE sends Binding Requests from the UDP CR socket to this server and publishes the mapped address and NATDetected. Turns UDP Connection Requests on (127.0.0.1:0 unless --udp-cr-bind-addr).' },
  { flag: 'stun-username', kind: 'string', arg: 'USER', description: 'STUNUsername of every CPE (Binding Requests then carry USERNAME and MESSAGE-INTEGRITY). Needs --stun-server.' },
  { flag: 'stun-password', kind: 'string', arg: 'PASS', secret: true, description: 'STUNPassword of every CPE (never logged). Needs --stun-server.' },
  // ---- USP (TR-369) agents, docs/usp.md ----
  { flag: 'usp-broker', kind: 'mqttBroker', arg: 'HOST:PORT|URL', description: 'Makes every CPE also a USP (TR-369) Agent on this MQTT broker: HOST:PORT (plain TCP), mqtt://HOST:PORT, mqtts://HOST:PORT (TLS, port 8883 by default), ws://HOST:PORT/PATH or wss://HOST:PORT/PATH (MQTT over WebSocket, path /mqtt by default); TLS checks the broker against --ca-cert-file. Without --acs-url the fleet is USP-only (no CWMP, no embedded ACS). Implies daemon mode.' },
  { flag: 'usp-websocket', kind: 'wsUrl', arg: 'URL', description: 'A USP Controller\'s WebSocket server (ws://host:port/path, or wss://… checked against --ca-cert-file): every agent dials out to it (subprotocol v1.usp). With or without --usp-broker.' },
  { flag: 'usp-controller-id', kind: 'string', arg: 'EID', default: 'self::controller', description: 'The Controller\'s EndpointID: to_id of everything the agents send, and the EndpointID of their Controller.1 row.' },
  { flag: 'usp-mqtt-version', kind: 'enum', values: ['auto', '5', '3.1.1'], arg: 'VERSION', default: 'auto', description: 'MQTT version of the agents: 5 (5.0), 3.1.1, or auto (5.0, falling back to 3.1.1 when the broker refuses it).' },
  { flag: 'usp-mqtt-username', kind: 'string', arg: 'USER', description: 'MQTT username of every agent. Default: each agent\'s own EndpointID.' },
  { flag: 'usp-mqtt-password', kind: 'string', arg: 'PASS', secret: true, description: 'One MQTT password for every agent (never logged); wins over --usp-mqtt-secret.' },
  { flag: 'usp-mqtt-secret', kind: 'string', arg: 'SECRET', secret: true, description: 'Shared secret: each agent\'s MQTT password is base64url(HMAC-SHA256(secret, username)), as cpe-labs derives it (never logged).' },
  { flag: 'usp-endpoint-id-format', kind: 'enum', values: ['spec', 'cpe-labs'], arg: 'FORMAT', default: 'spec', description: 'Agent EndpointIDs: spec = os::<OUI>-<Serial> (TR-369), cpe-labs = os::<OUI><Serial> (the seed\'s form, for Controllers written against it).' },
  { flag: 'usp-notify-style', kind: 'enum', values: ['spec', 'cpe-labs'], arg: 'STYLE', default: 'spec', description: 'Boot! and OnBoardRequest: spec = Boot! to subscribed Controllers, OnBoardRequest retried while OnBoardingComplete is false; cpe-labs = both at every start to every Controller, fire and forget (the seed\'s).' },
  { flag: 'xmpp-server', kind: 'string', arg: 'HOST:PORT', description: 'Enables XMPP Connection Requests (TR-069 Annex K): every CPE logs in to this server (host:port, port 5222 by default, or xmpp://host:port) and answers connectionRequest IQs. Needs --xmpp-domain and --xmpp-password. Implies daemon mode.' },
  { flag: 'xmpp-domain', kind: 'string', arg: 'DOMAIN', description: 'XMPP domain of the CPE accounts (JID <username>@<domain>/cwmp).' },
  { flag: 'xmpp-username', kind: 'string', arg: 'PATTERN', default: '{cpe_id}', description: 'XMPP account name of each CPE; {cpe_id} and {i} are stamped.' },
  { flag: 'xmpp-password', kind: 'string', arg: 'PASS', secret: true, description: 'XMPP password of every CPE account (never logged).' },
  { flag: 'xmpp-allowed-jids', kind: 'string', arg: 'JIDS', description: 'ConnReqAllowedJabberIDs of every CPE: comma-separated JIDs allowed to send XMPP Connection Requests (a bare JID allows any resource). Default: any.' },
  { flag: 'time-scale', kind: 'positive', arg: 'X', default: '1', description: 'Clock compression: 0.01 makes a 300 s periodic interval last 3 s (retries, periodic informs, reboot delays).' },
  { flag: 'shard', kind: 'shard', arg: 'I/N', description: 'Simulate only slice I (0-based) of N contiguous slices of the fleet; ids, serials and placeholders keep their global index.' },
  { flag: 'workers', kind: 'threads', arg: 'N', default: '1', description: 'Spread the fleet over N worker threads (one core each), worker k simulating slice i·N+k of n·N (with --shard i/n). Each worker has its own CR listener: port P+k for --cr-bind-addr host:P, an OS-picked port per worker for port 0 (each logged). Needs the built CLI.' },
  { flag: 'demo', kind: 'enum', values: ['firmware'], arg: 'NAME', description: 'Run a demo on the embedded fake ACS, then exit. firmware: a fleet firmware rollout (every CPE is sent a Download by Connection Request; every tenth image is broken and fails with 9010). Not with --acs-url or --workers.' },
  // ---- admin API and metrics (docs/observability.md) ----
  { flag: 'admin-addr', kind: 'bindAddr', arg: 'HOST:PORT', description: 'Serves the admin HTTP API, its OpenAPI description (/openapi.json) and Prometheus /metrics on this address. ":PORT" binds 127.0.0.1; any other host exposes control of the fleet to that network (set --admin-token). Implies daemon mode. Off by default.' },
  { flag: 'admin-token', kind: 'string', arg: 'TOKEN', secret: true, description: 'Bearer token every admin request (and /metrics scrape) must carry: "Authorization: Bearer TOKEN". Requires --admin-addr.' },
  { flag: 'log-level', kind: 'enum', values: ['debug', 'info', 'warn', 'error'], arg: 'LEVEL', default: 'info', description: 'Log level, any case; `warning` means warn (cpe-labs spelling); debug also prints stack traces of errors.' },
  { flag: 'log-format', kind: 'enum', values: ['text', 'json'], arg: 'FORMAT', default: 'text', description: 'Log line format on stderr.' },
  { flag: 'config', kind: 'path', arg: 'FILE', noConfig: true, description: 'YAML file with the same settings in camelCase (acsUrl: …); flags and env vars override it.' },
];

/**
 * Config-file keys as cpe-labs spells them (capitalised acronyms), accepted as aliases
 * so a cpe-labs config file loads unchanged (profile-format 14.2).
 */
export const CONFIG_KEY_ALIASES: Readonly<Record<string, string>> = {
  acsURL: 'acs-url',
  uspControllerID: 'usp-controller-id',
  uspMQTTSecret: 'usp-mqtt-secret',
  uspMQTTUsername: 'usp-mqtt-username',
  uspMQTTPassword: 'usp-mqtt-password',
  uspMQTTVersion: 'usp-mqtt-version',
};

/** True when `--usp-broker` (mqtts://, wss://) or `--usp-websocket` (wss://) is a TLS connection, which the TLS flags then serve. */
export function uspEncrypted(broker: string | undefined, websocket: string | undefined): boolean {
  return (broker !== undefined && /^(mqtts|ssl|wss):/i.test(broker)) || (websocket !== undefined && /^wss:/i.test(websocket));
}

/** `acs-url` → `acsUrl`. */
export function configKeyOf(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
/** `acs-url` → `CPE_SIM_ACS_URL`. */
export function envKeyOf(flag: string): string {
  return `CPE_SIM_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** The resolved settings of one simulator run. */
export interface SimSettings {
  profile: string;
  count?: number;
  acsUrl?: string;
  acsUsername?: string;
  acsPassword?: string;
  acsTimeoutMs: number;
  caCertFile?: string;
  tlsSkipVerify: boolean;
  tlsCert?: string;
  tlsKey?: string;
  /** `--transfer-ca-file`: the CA(s) of `https:` file servers (FleetOptions.transfer.caFile). */
  transferCaFile?: string;
  /** `--transfer-timeout` in ms: the idle timeout of every file transfer (FleetOptions.transfer.timeoutMs). */
  transferTimeoutMs?: number;
  crBindAddr?: string;
  crPath: string;
  crPublishPath?: string;
  /** `--cr-advertise-host` (or its older name `--cr-publish-host`): `host` or `host:port`. */
  crPublishHost?: string;
  udpCrBindAddr?: string;
  udpCrPublishHost?: string;
  /** `--admin-addr`: host and port of the admin API; `:PORT` is loopback. */
  adminAddr?: string;
  adminToken?: string;
  /** Explicit root seed (never 0: 0 means "choose one"). */
  seed?: bigint;
  /** `--fleet-offset`: overrides the profile's `fleet.offset`. */
  fleetOffset?: number;
  /** `--boot-ramp` in ms: overrides the profile's `eventSchedule.bootRamp`. */
  bootRampMs?: number;
  /** `--concurrency`: accepted and ignored (cpe-labs compatibility). */
  concurrency?: number;
  stunServer?: string;
  stunUsername?: string;
  stunPassword?: string;
  xmppServer?: string;
  xmppDomain?: string;
  xmppUsername: string;
  xmppPassword?: string;
  xmppAllowedJids?: string;
  /** `--usp-broker`: every CPE is also a USP Agent on this MQTT broker. */
  uspBroker?: string;
  /** `--usp-websocket`: a Controller's WebSocket URL the agents dial. */
  uspWebsocket?: string;
  uspControllerId: string;
  uspMqttVersion: 'auto' | '5' | '3.1.1';
  uspMqttUsername?: string;
  uspMqttPassword?: string;
  uspMqttSecret?: string;
  uspEndpointIdFormat: 'spec' | 'cpe-labs';
  /** `--usp-notify-style`: Boot!/OnBoardRequest as TR-369 says, or as cpe-labs sends them. */
  uspNotifyStyle: 'spec' | 'cpe-labs';
  timeScale: number;
  shard?: { index: number; total: number };
  /** Worker threads the fleet is spread over (1 = none). */
  workers: number;
  logLevel: Exclude<LogLevel, 'silent'>;
  logFormat: LogFormat;
  /** `--demo`: a demo run on the embedded ACS. */
  demo?: 'firmware';
  /** The config file that was read, if any. */
  configFile?: string;
  /** Largest profile in bytes (`--max-profile-size`). */
  maxProfileBytes: number;
  /** Longest profile value in bytes (`--max-value-size`). */
  maxValueBytes: number;
  /** Where each setting came from (`--acs-url`, `CPE_SIM_ACS_URL`, `config file x.yaml: acsUrl`, `default`). */
  sources: Readonly<Record<string, string>>;
}

/** What the command line asked for. */
export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; settings: SimSettings };

type Raw = { value: string | number | boolean; source: string; baseDir?: string };

const FLAG_NAMES = OPTIONS.map((o) => `--${o.flag}`);

function listValid(names: readonly string[]): string {
  return names.join(', ');
}

/** Turns parseArgs' TypeErrors into ConfigErrors that list the valid flags. */
export function parseArgsError(err: unknown, validFlags: readonly string[]): ConfigError {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /Unknown option '([^']+)'/.exec(msg);
    const flag = m?.[1];
    // `--acs-url=x` arrives whole; the hint compares the flag part only.
    return new ConfigError(`unknown flag ${flag ?? msg}${flag ? didYouMean(flag.split('=')[0]!, validFlags) : ''}; valid flags: ${listValid(validFlags)}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const m = /Unexpected argument '([^']+)'/.exec(msg);
    return new ConfigError(`unexpected argument ${m ? `'${m[1]}'` : ''}: cpe-sim takes only --flags (and the subcommand "acs"); valid flags: ${listValid(validFlags)}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // parseArgs words a missing value two ways ("argument missing", "argument is
    // ambiguous" when the next word starts with "-"); both say the same thing to a user.
    const m = /Option '(?:-\w, )?(--[\w-]+)/.exec(msg);
    if (m && /argument missing|argument is ambiguous/.test(msg)) return missingValue(m[1]!);
    return new ConfigError(`${msg.replace(/^Option /, 'flag ')}`);
  }
  return new ConfigError(msg, { cause: err });
}

/** The one error for a flag given without its value (`--acs-url` last, or followed by another flag). */
export function missingValue(flag: string): ConfigError {
  const spec = OPTIONS.find((o) => `--${o.flag}` === flag);
  return new ConfigError(`flag ${flag} needs a value: ${flag} ${spec?.arg ?? 'VALUE'} or ${flag}=${spec?.arg ?? 'VALUE'}${spec?.default !== undefined ? ` (default ${spec.default})` : ''}`);
}

/** Reads and checks a YAML config file: a mapping of known camelCase keys. */
export function readConfigFile(file: string, source: string): Map<string, Raw> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(`cannot read config file ${file} (from ${source}): ${code === 'ENOENT' ? 'no such file' : String((err as Error).message)}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // Moved to the line of an unclosed { or [ (the parser reports the line after it), as for profiles.
    const at = err instanceof YAMLParseError ? yamlErrorOffset(text, err.message, err.pos[0]) : undefined;
    const before = at ? text.slice(0, at.offset) : '';
    const where = at ? `:${before.split('\n').length}:${at.offset - before.lastIndexOf('\n')}` : '';
    throw new ConfigError(`config file ${file}${where} is not valid YAML: ${(err as Error).message.split('\n')[0]?.replace(/:\s*$/, '')}${at?.note ?? ''}`, { cause: err });
  }
  if (doc === null || doc === undefined) return new Map();
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`config file ${file} must be a YAML mapping of settings (e.g. "acsUrl: http://127.0.0.1:7547/cwmp"), found ${Array.isArray(doc) ? 'a list' : typeof doc}`);
  }
  const valid = OPTIONS.filter((o) => !o.noConfig).map((o) => configKeyOf(o.flag));
  const out = new Map<string, Raw>();
  const unknown: string[] = [];
  const baseDir = dirname(resolve(file));
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const alias = CONFIG_KEY_ALIASES[key];
    const spec = OPTIONS.find((o) => !o.noConfig && (alias !== undefined ? o.flag === alias : configKeyOf(o.flag) === key));
    if (!spec) {
      unknown.push(key);
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(`config file ${file}: ${key} must be a scalar (string or number), found ${Array.isArray(value) ? 'a list' : 'a mapping'}`);
    }
    if (out.has(spec.flag)) throw new ConfigError(`config file ${file}: ${key} sets ${configKeyOf(spec.flag)} a second time (${key} and ${configKeyOf(spec.flag)} are the same setting); keep one`);
    out.set(spec.flag, { value, source: `config file ${file}: ${key}`, baseDir });
  }
  if (unknown.length > 0) {
    throw new ConfigError(`config file ${file}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `${JSON.stringify(k)}${didYouMean(k, valid)}`).join(', ')}; valid keys: ${listValid(valid)}`);
  }
  return out;
}

/** Environment variables with our prefix; unknown ones are an error. */
function readEnv(env: Readonly<Record<string, string | undefined>>, cwd: string): Map<string, Raw> {
  const out = new Map<string, Raw>();
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('CPE_SIM_') || value === undefined) continue;
    const spec = OPTIONS.find((o) => envKeyOf(o.flag) === key);
    if (!spec) {
      unknown.push(key);
      continue;
    }
    // An exported-but-empty variable means "unset" (as shells make it easy to clear one that way).
    if (value === '') continue;
    out.set(spec.flag, { value, source: `environment variable ${key}`, baseDir: cwd });
  }
  if (unknown.length > 0) {
    const validEnv = OPTIONS.map((o) => envKeyOf(o.flag));
    throw new ConfigError(`unknown environment variable${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `${k}${didYouMean(k, validEnv)}`).join(', ')}; valid CPE_SIM_* variables: ${listValid(validEnv)}`);
  }
  return out;
}

const BIND_ADDR = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/]*)):(\d{1,5})$/;

/** Checks `host:port`, `[v6]:port`, `:port`; returns undefined when fine, else why not. */
export function checkBindAddr(s: string): string | undefined {
  const m = BIND_ADDR.exec(s);
  if (!m) return 'expected HOST:PORT, [IPv6]:PORT or :PORT (e.g. 127.0.0.1:7547, [::1]:0, :7547)';
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range 0..65535`;
  return undefined;
}

function asString(raw: Raw, flag: string): string {
  if (typeof raw.value === 'string') return raw.value;
  const kind = OPTIONS.find((o) => o.flag === flag)?.kind ?? '';
  if (typeof raw.value === 'number' && ['count', 'offset', 'threads', 'seed', 'positive'].includes(kind)) {
    // YAML reads integers as doubles: past 2^53 the digits are already lost.
    if (kind === 'seed' && !Number.isSafeInteger(raw.value)) throw new ConfigError(`${raw.source}: the number ${String(raw.value)} is not exact in YAML; quote the seed ("${String(raw.value)}")`);
    return String(raw.value);
  }
  throw new ConfigError(`${raw.source}: expected a string, found ${typeof raw.value} ${String(raw.value)}`);
}

function convert(spec: OptionSpec, raw: Raw): unknown {
  if (spec.kind === 'boolean') {
    const v = typeof raw.value === 'string' ? raw.value.trim().toLowerCase() : raw.value;
    if (v === true || v === 'true' || v === '1') return true;
    if (v === false || v === 'false' || v === '0') return false;
    throw new ConfigError(`${raw.source}: invalid value ${JSON.stringify(raw.value)}: expected true or false (or 1/0)`);
  }
  const s = asString(raw, spec.flag);
  // `--acs-url=` is a flag without its value, like `--acs-url` last: one error for both.
  if (s === '' && raw.source === `--${spec.flag}`) throw missingValue(raw.source);
  const bad = (expected: string): never => {
    // A URL's userinfo is a password too (issue 20): never echoed, even when refused for holding one.
    const shown = spec.secret ? '(hidden)' : redactUrl(JSON.stringify(s));
    throw new ConfigError(`${raw.source}: invalid value ${shown}: ${expected}`);
  };
  switch (spec.kind) {
    case 'string':
      if (s === '') bad('expected a non-empty value');
      return s;
    case 'path':
      if (s === '') bad('expected a file path');
      // Relative paths in a config file are relative to that file, like most tools do;
      // flags and env vars are relative to the working directory.
      {
        const rel = raw.baseDir && raw.baseDir !== process.cwd() ? resolve(raw.baseDir, s) : s;
        // A shipped profile's name stays a name unless the config file's directory holds such a file.
        return spec.flag === 'profile' && rel !== s && !existsSync(rel) && shippedProfilePath(s) !== undefined ? s : rel;
      }
    case 'url': {
      let u: URL;
      try {
        u = new URL(s);
      } catch {
        return bad('expected an absolute http:// or https:// URL, e.g. http://127.0.0.1:7547/cwmp');
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') bad(`expected an http:// or https:// URL, found scheme ${u.protocol}`);
      if (u.username || u.password) bad('put credentials in --acs-username / --acs-password, not in the URL');
      return s;
    }
    case 'duration': {
      let ms: number;
      try {
        ms = parseDuration(s);
      } catch {
        return bad('expected a Go duration such as 30s, 1m30s or 500ms');
      }
      if (!(ms > 0)) bad('expected a positive duration');
      return ms;
    }
    case 'ramp': {
      let ms: number;
      try {
        ms = parseDuration(s);
      } catch {
        return bad('expected a Go duration >= 0 such as 0, 90s or 5m');
      }
      if (!(ms >= 0)) bad('expected a duration >= 0');
      return ms;
    }
    case 'offset': {
      if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) bad('expected a whole number >= 0 (the global index of the first CPE is N+1)');
      return Number(s);
    }
    case 'advertiseHost':
      try {
        parseAdvertiseHost(s);
      } catch (err) {
        return bad((err as Error).message.replace(/^invalid CR publishHost "[^"]*": /, ''));
      }
      return s;
    case 'count': {
      if (!/^\d+$/.test(s)) bad('expected a whole number of CPEs, at least 1');
      const n = Number(s);
      if (n < 1 || !Number.isSafeInteger(n)) bad('expected a whole number of CPEs, at least 1');
      return n;
    }
    case 'threads': {
      if (!/^\d+$/.test(s) || Number(s) < 1 || !Number.isSafeInteger(Number(s))) bad('expected a whole number of worker threads, at least 1');
      return Number(s);
    }
    case 'seed': {
      const n = /^[+-]?\d+$/.test(s) ? BigInt(s) : undefined;
      if (n === undefined || n < -(2n ** 63n) || n > 2n ** 63n - 1n) bad('expected a signed 64-bit integer (-9223372036854775808..9223372036854775807; 0 = choose one)');
      return n;
    }
    case 'positive': {
      const n = Number(s);
      if (s.trim() === '' || !Number.isFinite(n) || !(n > 0)) bad('expected a positive number, e.g. 1 or 0.01');
      return n;
    }
    case 'enum': {
      // cpe-labs: levels in any case, and `warning` for warn.
      const v = spec.flag === 'log-level' ? s.toLowerCase().replace(/^warning$/, 'warn') : s;
      if (!spec.values?.includes(v)) bad(`expected one of ${spec.values?.join(', ')}${spec.flag === 'log-level' ? ' (any case; warning = warn)' : ''}`);
      return v;
    }
    case 'shard': {
      const m = /^(\d+)\/(\d+)$/.exec(s);
      const index = Number(m?.[1]);
      const total = Number(m?.[2]);
      if (!m || !(total >= 1) || !(index < total)) bad('expected I/N with 0 <= I < N, e.g. 0/4');
      return { index, total };
    }
    case 'hostPort': {
      const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(s);
      if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) bad('expected HOST:PORT or [IPv6]:PORT with a port 1-65535, e.g. 127.0.0.1:3478');
      return s;
    }
    case 'mqttBroker':
      try {
        parseUspBroker(s, '-');
      } catch (err) {
        return bad((err as Error).message.replace(/^-: /, ''));
      }
      return s;
    case 'wsUrl': {
      let u: URL | undefined;
      try {
        u = new URL(s);
      } catch {
        // refused below
      }
      if (!u || (u.protocol !== 'ws:' && u.protocol !== 'wss:') || u.hostname === '') bad('expected a ws:// or wss:// URL such as ws://127.0.0.1:8080/usp');
      return s;
    }
    case 'bindAddr': {
      const why = checkBindAddr(s);
      if (why) bad(why);
      return s;
    }
    case 'bytes': {
      const n = parseBytes(s);
      if (n === undefined) bad('expected a size in bytes such as 4MiB, 64KiB, 20MB or 1048576 (units B, KB, MB, GB = 1000ⁿ; KiB, MiB, GiB = 1024ⁿ)');
      return n;
    }
    case 'crPath':
      if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(s) || s.includes('//')) bad('expected an absolute URL path such as /cr');
      // A trailing slash would make the fleet URLs `/cr//cpe-1`.
      return s.length > 1 ? s.replace(/\/+$/, '') : s;
  }
}

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `4MiB` → 4194304, `20MB` → 20000000, `512` → 512; undefined when not a positive whole number of bytes. */
export function parseBytes(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(s);
  const unit = m && Object.hasOwn(BYTE_UNITS, m[2]!.toLowerCase()) ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

const BOOLEAN_FLAGS = new Set(OPTIONS.filter((o) => o.kind === 'boolean').map((o) => `--${o.flag}`));

/**
 * Boolean flags as Go's flag package takes them: bare (`--tls-skip-verify` = true) or
 * with `=value`; a following `true`/`false`/`1`/`0` is taken as the value too.
 */
function booleanFlagsWithValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!BOOLEAN_FLAGS.has(a)) {
      out.push(a);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && /^(?:true|false|1|0)$/i.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(`${a}=true`);
  }
  return out;
}

/**
 * Go's flag syntax, which cpe-labs users type: `-name` and `-name=v` are `--name`
 * (`-version` included), for known long names. A flag that takes a value is joined
 * with the next argument (`--seed -42` → `--seed=-42`), so a value starting with `-`
 * (a negative seed, a password) is a value, as in Go, unless it is itself a flag.
 */
export function goStyleFlags(argv: readonly string[], options: Readonly<Record<string, { type: 'string' | 'boolean' }>>): string[] {
  // `-name` / `-name=v` naming an option: the name, else undefined.
  const singleDash = (a: string): string | undefined => {
    const name = /^-([a-z][a-z0-9-]+)(?:=.*)?$/.exec(a)?.[1];
    return name !== undefined && options[name] !== undefined ? name : undefined;
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const arg = singleDash(a) !== undefined ? `-${a}` : a;
    const long = /^--([a-z][a-z0-9-]*)$/.exec(arg)?.[1];
    const next = argv[i + 1];
    // A following flag is not a value: parseArgs then says that the value is missing.
    const nextIsFlag = next !== undefined && (next.startsWith('--') || singleDash(next) !== undefined);
    if (long !== undefined && options[long]?.type === 'string' && next !== undefined && !nextIsFlag) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * Parses the simulator's argv + env (+ the config file they name) into settings.
 * @throws ConfigError for unknown flags/env keys/config keys, bad values, and the seed's
 * rule "--cr-bind-addr requires --cr-publish-path".
 */
export function parseSimArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): ParsedCommand {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
  };
  for (const o of OPTIONS) options[o.flag] = { type: 'string' };
  let parsed: { values: Record<string, string | boolean | undefined> };
  try {
    parsed = parseArgs({ args: booleanFlagsWithValues(goStyleFlags(argv, options)), options, strict: true, allowPositionals: false }) as typeof parsed;
  } catch (err) {
    throw parseArgsError(err, ['--help', '--version', ...FLAG_NAMES]);
  }
  if (parsed.values.help === true) return { kind: 'help' };
  if (parsed.values.version === true) return { kind: 'version' };

  const fromFlags = new Map<string, Raw>();
  for (const o of OPTIONS) {
    const v = parsed.values[o.flag];
    if (typeof v === 'string') fromFlags.set(o.flag, { value: v, source: `--${o.flag}`, baseDir: cwd });
  }
  const fromEnv = readEnv(env, cwd);
  const configRaw = fromFlags.get('config') ?? fromEnv.get('config');
  const configFile = configRaw ? resolve(cwd, String(configRaw.value)) : undefined;
  const fromConfig = configFile && configRaw ? readConfigFile(configFile, configRaw.source) : new Map<string, Raw>();

  const values: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const o of OPTIONS) {
    if (o.flag === 'config') continue;
    const raw = fromFlags.get(o.flag) ?? fromEnv.get(o.flag) ?? fromConfig.get(o.flag);
    if (raw) {
      values[o.flag] = convert(o, raw);
      sources[o.flag] = raw.source;
    } else if (o.default !== undefined) {
      values[o.flag] = convert(o, { value: o.default, source: `default of --${o.flag}` });
      sources[o.flag] = 'default';
    }
  }

  if (values.profile === undefined) {
    throw new ConfigError('no profile given: pass --profile PATH (or set CPE_SIM_PROFILE, or "profile:" in the --config file), e.g. cpe-sim --profile tr181-digest');
  }
  if (values['cr-bind-addr'] !== undefined && values['cr-publish-path'] === undefined) {
    throw new ConfigError(
      `--cr-bind-addr (from ${sources['cr-bind-addr']}) requires --cr-publish-path: the parameter-tree leaf each CPE's Connection Request URL is written into, so its Inform reports it. ` +
        'There is no default because TR-181 and TR-098 use different paths: ' +
        'for TR-181 use --cr-publish-path=Device.ManagementServer.ConnectionRequestURL, ' +
        'for TR-098 use --cr-publish-path=InternetGatewayDevice.ManagementServer.ConnectionRequestURL.',
    );
  }
  if (values['cr-advertise-host'] !== undefined && values['cr-publish-host'] !== undefined) {
    throw new ConfigError(`${sources['cr-advertise-host']} and ${sources['cr-publish-host']} are two names of one setting; keep --cr-advertise-host`);
  }
  if (values['cr-bind-addr'] === undefined) {
    // These only shape the listener; accepting them without it would silently do nothing.
    for (const f of ['cr-publish-path', 'cr-advertise-host', 'cr-publish-host']) {
      if (values[f] !== undefined) throw new ConfigError(`${sources[f]} has no effect without --cr-bind-addr (the Connection Request listener is off); set --cr-bind-addr too, e.g. --cr-bind-addr=127.0.0.1:0`);
    }
    if (sources['cr-path'] !== 'default') throw new ConfigError(`${sources['cr-path']} has no effect without --cr-bind-addr (the Connection Request listener is off); set --cr-bind-addr too, e.g. --cr-bind-addr=127.0.0.1:0`);
  }
  if (values['udp-cr-publish-host'] !== undefined && values['udp-cr-bind-addr'] === undefined) {
    throw new ConfigError(`${sources['udp-cr-publish-host']} has no effect without --udp-cr-bind-addr (UDP Connection Requests are off); set --udp-cr-bind-addr too, e.g. --udp-cr-bind-addr=127.0.0.1:0`);
  }
  if (values.demo !== undefined) {
    if (values['acs-url'] !== undefined) throw new ConfigError(`${sources.demo} runs on the embedded fake ACS: drop ${sources['acs-url']}`);
    if ((values.workers as number) > 1) throw new ConfigError(`${sources.demo} runs in one thread: drop ${sources.workers}`);
  }
  if (values['admin-token'] !== undefined && values['admin-addr'] === undefined) {
    throw new ConfigError(`${sources['admin-token']} has no effect without --admin-addr (the admin API is off); set --admin-addr too, e.g. --admin-addr=127.0.0.1:9100`);
  }
  if (values['admin-addr'] !== undefined && (values.workers as number) > 1) {
    throw new ConfigError(`${sources['admin-addr']} serves one fleet: it cannot be combined with ${sources.workers} (each worker thread simulates its own fleet)`);
  }
  for (const f of ['stun-username', 'stun-password']) {
    if (values[f] !== undefined && values['stun-server'] === undefined) throw new ConfigError(`${sources[f]} has no effect without --stun-server; set --stun-server too, e.g. --stun-server=127.0.0.1:3478`);
  }
  if (values['xmpp-server'] !== undefined) {
    for (const f of ['xmpp-domain', 'xmpp-password']) {
      if (values[f] === undefined) throw new ConfigError(`--xmpp-server (from ${sources['xmpp-server']}) needs --${f} too: the CPEs log in as <username>@<domain> with that password`);
    }
  } else {
    for (const f of ['xmpp-domain', 'xmpp-password', 'xmpp-allowed-jids']) {
      if (values[f] !== undefined) throw new ConfigError(`${sources[f]} has no effect without --xmpp-server; set --xmpp-server too, e.g. --xmpp-server=127.0.0.1:5222`);
    }
    if (sources['xmpp-username'] !== 'default') throw new ConfigError(`${sources['xmpp-username']} has no effect without --xmpp-server; set --xmpp-server too`);
  }
  const usp = values['usp-broker'] !== undefined || values['usp-websocket'] !== undefined;
  if (!usp) {
    for (const f of ['usp-mqtt-username', 'usp-mqtt-password', 'usp-mqtt-secret']) {
      if (values[f] !== undefined) throw new ConfigError(`${sources[f]} has no effect without --usp-broker; set --usp-broker too, e.g. --usp-broker=127.0.0.1:1883`);
    }
    for (const f of ['usp-controller-id', 'usp-mqtt-version', 'usp-endpoint-id-format', 'usp-notify-style']) {
      if (sources[f] !== 'default') throw new ConfigError(`${sources[f]} has no effect without --usp-broker or --usp-websocket (USP is off); set one of them too`);
    }
  } else if (values['acs-url'] === undefined) {
    // USP-only (the seed): CWMP is off, so its listeners would serve nothing. The seed refuses --cr-bind-addr here too.
    for (const f of ['cr-bind-addr', 'udp-cr-bind-addr', 'stun-server', 'xmpp-server', 'acs-username']) {
      if (values[f] !== undefined) throw new ConfigError(`${sources[f]} is CWMP-side, but ${sources['usp-broker'] ?? sources['usp-websocket']} without --acs-url runs a USP-only fleet (no CWMP); give --acs-url for a dual-stack fleet, or drop it`);
    }
    if (values.demo !== undefined) throw new ConfigError(`${sources.demo} runs on the embedded fake ACS; it cannot be combined with a USP-only fleet (${sources['usp-broker'] ?? sources['usp-websocket']} without --acs-url)`);
    // Without an ACS the TLS flags serve only an encrypted USP transport.
    if (!uspEncrypted(values['usp-broker'] as string | undefined, values['usp-websocket'] as string | undefined)) {
      for (const f of ['ca-cert-file', 'tls-cert', 'tls-key']) {
        if (values[f] !== undefined) throw new ConfigError(`${sources[f]} has no effect: this USP-only fleet opens no TLS connection (--usp-broker is not mqtts:// or wss://, --usp-websocket is not wss://, no --acs-url)`);
      }
      if (values['tls-skip-verify'] === true) throw new ConfigError(`${sources['tls-skip-verify']} has no effect: this USP-only fleet opens no TLS connection (--usp-broker is not mqtts:// or wss://, --usp-websocket is not wss://, no --acs-url)`);
    }
  }
  if (values['acs-password'] !== undefined && values['acs-username'] === undefined) {
    throw new ConfigError(`${sources['acs-password']} is set but no ACS username: set --acs-username too`);
  }

  const settings: SimSettings = {
    profile: values.profile as string,
    acsTimeoutMs: values['acs-timeout'] as number,
    crPath: values['cr-path'] as string,
    timeScale: values['time-scale'] as number,
    workers: values.workers as number,
    xmppUsername: values['xmpp-username'] as string,
    uspControllerId: values['usp-controller-id'] as string,
    uspMqttVersion: values['usp-mqtt-version'] as SimSettings['uspMqttVersion'],
    uspEndpointIdFormat: values['usp-endpoint-id-format'] as SimSettings['uspEndpointIdFormat'],
    uspNotifyStyle: values['usp-notify-style'] as SimSettings['uspNotifyStyle'],
    maxProfileBytes: values['max-profile-size'] as number,
    maxValueBytes: values['max-value-size'] as number,
    logLevel: values['log-level'] as SimSettings['logLevel'],
    logFormat: values['log-format'] as LogFormat,
    tlsSkipVerify: values['tls-skip-verify'] as boolean,
    sources,
  };
  if (values['ca-cert-file'] !== undefined) settings.caCertFile = values['ca-cert-file'] as string;
  if (values['tls-cert'] !== undefined) settings.tlsCert = values['tls-cert'] as string;
  if (values['tls-key'] !== undefined) settings.tlsKey = values['tls-key'] as string;
  if ((settings.tlsCert === undefined) !== (settings.tlsKey === undefined)) {
    const given = settings.tlsCert !== undefined ? 'tls-cert' : 'tls-key';
    throw new ConfigError(`${sources[given]} needs ${given === 'tls-cert' ? '--tls-key' : '--tls-cert'} too: a client certificate and its private key go together`);
  }
  if (values['transfer-ca-file'] !== undefined) settings.transferCaFile = values['transfer-ca-file'] as string;
  if (values['transfer-timeout'] !== undefined) settings.transferTimeoutMs = values['transfer-timeout'] as number;
  if (values.count !== undefined) settings.count = values.count as number;
  if (values['acs-url'] !== undefined) settings.acsUrl = values['acs-url'] as string;
  if (values['acs-username'] !== undefined) settings.acsUsername = values['acs-username'] as string;
  if (values['acs-password'] !== undefined) settings.acsPassword = values['acs-password'] as string;
  if (values['cr-bind-addr'] !== undefined) settings.crBindAddr = values['cr-bind-addr'] as string;
  if (values['cr-publish-path'] !== undefined) settings.crPublishPath = values['cr-publish-path'] as string;
  if (values['udp-cr-bind-addr'] !== undefined) settings.udpCrBindAddr = values['udp-cr-bind-addr'] as string;
  if (values['udp-cr-publish-host'] !== undefined) settings.udpCrPublishHost = values['udp-cr-publish-host'] as string;
  if (values['admin-addr'] !== undefined) settings.adminAddr = values['admin-addr'] as string;
  if (values['admin-token'] !== undefined) settings.adminToken = values['admin-token'] as string;
  const advertise = values['cr-advertise-host'] ?? values['cr-publish-host'];
  if (advertise !== undefined) settings.crPublishHost = advertise as string;
  if (values.seed !== undefined && values.seed !== 0n) settings.seed = values.seed as bigint;
  if (values['fleet-offset'] !== undefined) settings.fleetOffset = values['fleet-offset'] as number;
  if (values['boot-ramp'] !== undefined) settings.bootRampMs = values['boot-ramp'] as number;
  if (values.concurrency !== undefined) settings.concurrency = values.concurrency as number;
  for (const [flag, field] of [
    ['stun-server', 'stunServer'],
    ['stun-username', 'stunUsername'],
    ['stun-password', 'stunPassword'],
    ['xmpp-server', 'xmppServer'],
    ['xmpp-domain', 'xmppDomain'],
    ['xmpp-password', 'xmppPassword'],
    ['xmpp-allowed-jids', 'xmppAllowedJids'],
  ] as const) {
    if (values[flag] !== undefined) settings[field] = values[flag] as string;
  }
  if (values.demo !== undefined) settings.demo = values.demo as 'firmware';
  for (const [flag, field] of [
    ['usp-broker', 'uspBroker'],
    ['usp-websocket', 'uspWebsocket'],
    ['usp-mqtt-username', 'uspMqttUsername'],
    ['usp-mqtt-password', 'uspMqttPassword'],
    ['usp-mqtt-secret', 'uspMqttSecret'],
  ] as const) {
    if (values[flag] !== undefined) settings[field] = values[flag] as string;
  }
  if (values.shard !== undefined) settings.shard = values.shard as { index: number; total: number };
  if (configFile !== undefined) settings.configFile = configFile;
  return { kind: 'run', settings };
}

/** The settings as `key=value` pairs for a debug log line, secrets hidden. */
export function describeSettings(s: SimSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of OPTIONS) {
    const key = configKeyOf(o.flag);
    const field =
      key === 'acsTimeout' ? 'acsTimeoutMs' : key === 'transferTimeout' ? 'transferTimeoutMs' : key === 'bootRamp' ? 'bootRampMs' : key === 'config' ? 'configFile' : key === 'crAdvertiseHost' ? 'crPublishHost' : key === 'maxProfileSize' ? 'maxProfileBytes' : key === 'maxValueSize' ? 'maxValueBytes' : key;
    if (key === 'crPublishHost') continue; // shown once, as crAdvertiseHost
    const v = (s as unknown as Record<string, unknown>)[field];
    if (v === undefined) continue;
    out[key] = o.secret ? '(set)' : typeof v === 'object' ? JSON.stringify(v) : o.kind === 'duration' || o.kind === 'ramp' ? `${String(v)}ms` : String(v);
  }
  return out;
}
