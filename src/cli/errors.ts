/**
 * How the CLI reports an error: exit code and one paragraph for stderr (shared by the
 * main thread and `--workers` threads).
 * @module
 */
import { isCpeSimError, isConfigError, isProfileError } from '../errors/index.js';
import { redactUrl } from '../log/index.js';

/** Error codes that mean "bad input" (exit 2) rather than a failure of the run. */
const BAD_INPUT_CODES = new Set(['CPESIM_CONFIG_INVALID', 'CPESIM_PROFILE_INVALID', 'CPESIM_DURATION_INVALID', 'CPESIM_ADDRESS_IN_USE', 'CPESIM_UNKNOWN_CPE']);

/**
 * Reasons a listener cannot bind that come from the address the user chose (not a
 * local address, a privileged port, an address family the host lacks), as opposed to
 * the machine running out of something (EMFILE): those are bad input too.
 */
const BAD_ADDRESS_ERRNOS = new Set(['EADDRNOTAVAIL', 'EACCES', 'EAFNOSUPPORT', 'EINVAL']);

/** The exit code for an error: 2 for bad input, 1 otherwise. */
export function exitCodeOf(err: unknown): number {
  if (isConfigError(err) || isProfileError(err)) return 2;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'CPESIM_LISTEN_FAILED') {
    const errno = ((err as { cause?: { code?: unknown } }).cause ?? {}).code;
    return typeof errno === 'string' && BAD_ADDRESS_ERRNOS.has(errno) ? 2 : 1;
  }
  return typeof code === 'string' && BAD_INPUT_CODES.has(code) ? 2 : 1;
}

/**
 * One clear paragraph for stderr; the stack only when asked for with `--log-level debug`.
 * `command` is the subcommand that failed (`'acs'`), so a bad flag points at that
 * subcommand's own help (it has no env vars or config keys).
 */
export function formatError(err: unknown, debug: boolean, command?: 'acs'): string {
  const e = err instanceof Error ? err : new Error(String(err));
  let text: string;
  if (isConfigError(e)) {
    text = command === 'acs'
      ? `cpe-sim acs: ${e.message}\nRun "cpe-sim acs --help" for its flags.`
      : `cpe-sim: ${e.message}\nRun "cpe-sim --help" for the flags, env vars and config keys.`;
  }
  else if (isProfileError(e)) text = `cpe-sim: ${e.message}`;
  else if (isCpeSimError(e) || (typeof (e as { code?: unknown }).code === 'string' && String((e as { code?: unknown }).code).startsWith('CPESIM_'))) text = `cpe-sim: ${e.message}`;
  else text = `cpe-sim: unexpected error: ${e.message}${debug ? '' : ' (run with --log-level debug for the stack trace)'}`;
  if (debug && e.stack) text += `\n${e.stack}`;
  // Last line of defence: whatever error reaches the user, a URL in it shows no password.
  return redactUrl(text) + '\n';
}

