/**
 * examples/k8s (issue 7): the Indexed Job manifest must keep working as the CLI
 * changes. Its shell command is expanded by a real `/bin/sh` for every completion
 * index (with a stand-in `cpe-sim` on PATH that prints its argv), and the argv plus
 * the manifest's env go through the CLI's own option parser. Nothing is started and
 * no traffic is sent: the manifest binds 0.0.0.0 and informs a cluster ACS.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSimArgs, type SimSettings } from '../../src/cli/options.js';
import { loadProfile } from '../../src/profile/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const MANIFEST = join(root, 'examples/k8s/cpe-sim-indexed-job.yaml');
const PROFILE_DIR = join(root, 'fixtures/profiles/tr181-minimal');
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-k8s-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Container {
  command: string[];
  args: string[];
  env: EnvVar[];
  resources: { requests: { memory: string }; limits: { memory: string } };
  volumeMounts: { name: string; mountPath: string }[];
}
interface Job {
  kind: string;
  spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: Container[]; volumes: { name: string; configMap: { name: string } }[] } } };
}

const job = parse(readFileSync(MANIFEST, 'utf8')) as Job;
function only<T>(items: readonly T[], what: string): T {
  const [first] = items;
  if (first === undefined) throw new Error(`${MANIFEST}: no ${what}`);
  return first;
}
const container: Container = only(job.spec.template.spec.containers, 'container in the Job');
const script: string = only(container.args, 'args (the shell command) in the container');
const literalEnv = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));

/** Kubernetes memory quantity (`1Gi`, `1536Mi`) in MiB. */
function mib(q: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`unexpected memory quantity ${JSON.stringify(q)} in the manifest`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

/** The argv `cpe-sim` gets in pod `index`, expanded by a real shell. */
async function argvOfPod(index: number, podIp: string): Promise<string[]> {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const standIn = join(bin, 'cpe-sim');
  writeFileSync(standIn, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
  chmodSync(standIn, 0o755);
  expect(container.command).toEqual(['/bin/sh', '-c']);
  const env = { ...literalEnv, JOB_COMPLETION_INDEX: String(index), POD_IP: podIp, PATH: `${bin}:${process.env.PATH ?? ''}` };
  const { stdout } = await run('/bin/sh', ['-c', script], { env });
  return stdout.split('\n').filter((l) => l !== '');
}

function settingsOf(argv: string[], podIp: string): SimSettings {
  const cmd = parseSimArgs(argv, { ...literalEnv, POD_IP: podIp }, '/');
  if (cmd.kind !== 'run') throw new Error(`the manifest's command parsed as ${cmd.kind}`);
  return cmd.settings;
}

describe('examples/k8s Indexed Job', () => {
  it('gives every completion index its own shard of one fleet, through the CLI parser', async () => {
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const shards = Number(literalEnv.SHARDS);
    const total = Number(literalEnv.TOTAL_CPES);
    // One fleet means every shard runs at once and there are exactly SHARDS of them.
    expect(job.spec.completions).toBe(shards);
    expect(job.spec.parallelism).toBe(shards);
    const seen = new Set<number>();
    for (let k = 0; k < shards; k++) {
      const podIp = `10.1.0.${k + 1}`;
      const s = settingsOf(await argvOfPod(k, podIp), podIp);
      expect(s.shard).toEqual({ index: k, total: shards });
      expect(s.count).toBe(total);
      // The ACS reaches each pod at its own IP, on the port the container declares.
      expect(s.crPublishHost).toBe(podIp);
      expect(s.crBindAddr).toBe('0.0.0.0:7547');
      expect(s.crPublishPath).toBe('Device.ManagementServer.ConnectionRequestURL');
      expect(s.acsUrl).toBe(literalEnv.CPE_SIM_ACS_URL);
      expect(s.sources['acs-url']).toBe('environment variable CPE_SIM_ACS_URL');
      expect(s.logFormat).toBe('json');
      expect(s.profile).toBe(container.volumeMounts.find((m) => m.name === 'profile')?.mountPath);
      seen.add(s.shard?.index ?? -1);
    }
    expect(seen.size).toBe(shards);
  });

  it('requests the memory docs/performance.md sizes a pod for, with the V8 heap ceiling under the limit', async () => {
    const perPod = Number(literalEnv.TOTAL_CPES) / Number(literalEnv.SHARDS);
    // "Sizing pods": CPEs × 16 KiB + 100 MiB.
    expect(mib(container.resources.requests.memory)).toBeGreaterThanOrEqual((perPod * 16) / 1024 + 100);
    const ceiling = /--max-old-space-size=(\d+)/.exec(literalEnv.NODE_OPTIONS ?? '');
    expect(ceiling, 'NODE_OPTIONS sets --max-old-space-size').not.toBeNull();
    // Above the limit the kernel would kill the pod before V8 collects harder or fails with a clear message.
    expect(Number(ceiling?.[1])).toBeLessThan(mib(container.resources.limits.memory));
    // Node refuses some V8 flags in NODE_OPTIONS (docs/performance.md); this one it must accept.
    await expect(run(process.execPath, ['-e', 'process.exit(0)'], { env: { ...process.env, NODE_OPTIONS: literalEnv.NODE_OPTIONS } })).resolves.toBeDefined();
  });

  it('loads the profile from a ConfigMap volume laid out as the kubelet mounts it', async () => {
    // `kubectl create configmap --from-file=DIR/` takes the directory's files, not its subdirectories.
    const files = readdirSync(PROFILE_DIR);
    for (const f of files) expect(statSync(join(PROFILE_DIR, f)).isFile(), `${f} is a plain file`).toBe(true);
    // The kubelet writes the keys into a timestamped hidden directory, points `..data` at it,
    // and links each key through `..data`.
    const mount = join(dir, 'profiles');
    const stamp = '..2026_11_28_12_00_00.000000001';
    mkdirSync(join(mount, stamp), { recursive: true });
    for (const f of files) copyFileSync(join(PROFILE_DIR, f), join(mount, stamp, f));
    symlinkSync(stamp, join(mount, '..data'));
    for (const f of files) symlinkSync(join('..data', f), join(mount, f));
    const fromMount = await loadProfile(mount);
    const fromFixture = await loadProfile(PROFILE_DIR);
    // Each key once (not again through `..data` or the timestamped directory), same values.
    const leaves = (p: typeof fromMount) => p.parameters.map((l) => `${l.path}=${l.value}`);
    expect(leaves(fromMount)).toEqual(leaves(fromFixture));
    expect(leaves(fromMount).length).toBeGreaterThan(10);
    expect(fromMount.objects.map((o) => [o.path, o.instances])).toEqual(fromFixture.objects.map((o) => [o.path, o.instances]));
    // Read through the links in the mount itself, so messages name the paths a user sees.
    const dirs = new Set(fromMount.parameters.flatMap((l) => (l.source ? [dirname(l.source.file)] : [])));
    expect([...dirs]).toEqual([mount]);
  });
});
