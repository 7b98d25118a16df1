/**
 * Helpers of the seed traceability suite (test/seed): profiles, a curl wrapper, the
 * in-process CLI. 127.0.0.1 only.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const USER_LEAF = 'Device.ManagementServer.ConnectionRequestUsername';
export const PASS_LEAF = 'Device.ManagementServer.ConnectionRequestPassword';
export const URL_LEAF = 'Device.ManagementServer.ConnectionRequestURL';
export const ENABLE_LEAF = 'Device.ManagementServer.PeriodicInformEnable';
export const INTERVAL_LEAF = 'Device.ManagementServer.PeriodicInformInterval';

/** curl is the independent client; missing curl fails loudly (the seed's smoke test IS curl). */
export function requireCurl(): void {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('curl is not installed: the seed smoke test is a curl command line and cannot run without it');
  }
}

export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs curl (never through a proxy) and resolves with its output, even on failure. */
export function curl(args: readonly string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--noproxy', '*', '--max-time', '10', ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The status lines of every response curl printed with -i (challenge first). */
export function statusLines(out: string): string[] {
  return out.split('\r\n').filter((l) => /^HTTP\/\d(\.\d)? \d{3}/.test(l));
}

/** Fails with a message naming the port when 127.0.0.1:`port` cannot be bound (the seed's 7547). */
export async function assertPortFree(port: number): Promise<void> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`127.0.0.1:${port} is not available (${err.code ?? err.message}): the seed's smoke test binds exactly this port; stop whatever uses TCP port ${port} and run again`)),
    );
    s.listen(port, '127.0.0.1', () => resolve());
  });
  await new Promise((r) => s.close(r));
}

export interface ProfileOptions {
  count?: number;
  username?: string;
  password?: string;
  /** `null`: no connectionRequest block at all. */
  cr?: Record<string, unknown> | null;
  /** `undefined`: periodicInformPaths present, PeriodicInformEnable false. `null`: no periodicInformPaths. A number: enabled, this interval (s). */
  periodic?: number | null;
  extraParameters?: Record<string, unknown>[];
}

/** A TR-181 profile in the profile format (a plain object). */
export function profileObject(o: ProfileOptions = {}): Record<string, unknown> {
  const params: Record<string, unknown>[] = [
    { path: 'Device.DeviceInfo.Manufacturer', value: 'Example' },
    { path: 'Device.DeviceInfo.ManufacturerOUI', value: '00D09E' },
    { path: 'Device.DeviceInfo.ProductClass', value: 'HGW' },
    { path: 'Device.DeviceInfo.SerialNumber', value: 'SEED' },
    { path: 'Device.DeviceInfo.SoftwareVersion', value: '1.0.0' },
    { path: URL_LEAF, value: '' },
    { path: USER_LEAF, value: o.username ?? 'user', writable: true },
    { path: PASS_LEAF, value: o.password ?? 'pass', writable: true },
    ...(o.extraParameters ?? []),
  ];
  const p: Record<string, unknown> = {
    deviceIdPaths: {
      manufacturer: 'Device.DeviceInfo.Manufacturer',
      oui: 'Device.DeviceInfo.ManufacturerOUI',
      productClass: 'Device.DeviceInfo.ProductClass',
      serialNumber: 'Device.DeviceInfo.SerialNumber',
    },
    parameters: params,
  };
  if ((o.count ?? 1) > 1) p.fleet = { count: o.count, serialPattern: 'SEED-{i:03}' };
  if (o.periodic !== null) {
    params.push(
      { path: ENABLE_LEAF, type: 'xsd:boolean', value: o.periodic === undefined ? 'false' : 'true', writable: true },
      { path: INTERVAL_LEAF, type: 'xsd:unsignedInt', value: String(o.periodic ?? 300), writable: true },
    );
    p.periodicInformPaths = { interval: INTERVAL_LEAF, enable: ENABLE_LEAF };
  }
  if (o.cr !== null) p.connectionRequest = o.cr ?? { scheme: 'digest', realm: 'cpe-sim', usernameParameter: USER_LEAF, passwordParameter: PASS_LEAF };
  return p;
}

/** A temporary directory for profile files, removed by `dispose()`. */
export function profileDir(): { write(name: string, profile: Record<string, unknown> | string): string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-seed-'));
  return {
    write(name, profile) {
      const file = join(dir, name);
      writeFileSync(file, typeof profile === 'string' ? profile : stringify(profile));
      return file;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Lets already-queued I/O callbacks run (e.g. a session a bug would have started). */
export function settle(ms = 100): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
