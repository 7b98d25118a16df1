// Firmware images streamed, never held (issue 15): N CPEs download one S-MiB image at
// once from the fake ACS's file server (same process, loopback). The image is generated
// while it is sent and each CPE keeps only its first 64 KiB, so RSS must barely move.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { round, settledMemory } from '../lib/harness.mjs';

export const measures =
  'Firmware download memory: N CPEs (tr181-minimal + transfer.firmware) each download one S-MiB generated image at once from acs.files and reboot into it; peak RSS growth of the CPEs\' process over its settled RSS after boot, sampled every 20 ms; the file server runs in a child process (files=child) or in the same process (files=in-process); https: the file server presents a certificate signed by a throwaway CA that only FleetOptions.transfer.ca trusts';

function startFilesChild(entry, sizeMiB, version, server) {
  // The server's key and certificate ride in the environment: the child serves HTTPS with them.
  const env = server ? { ...process.env, BENCH_FILES_TLS: JSON.stringify(server) } : process.env;
  const child = fork(join(ROOT, 'bench', 'lib', 'files-process.mjs'), [entry, String(sizeMiB), version], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  const url = new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.url));
    child.once('exit', (c) => reject(new Error(`file server child exited (${c})`)));
  });
  return { child, url };
}

const MiB = 1024 * 1024;

export async function run(lib, { n, sizeMiB, files = 'child', https = false }) {
  const loaded = await lib.loadProfile(join(ROOT, 'fixtures/profiles/tr181-minimal'));
  const profile = { ...loaded, transfer: { ...loaded.transfer, firmware: { versionPath: 'Device.DeviceInfo.SoftwareVersion', applyDelayMs: 1000, fetch: true } } };
  // A private CA, as an operator's file server would have: only transfer.ca makes it trusted.
  const ca = https ? await lib.generateCertificate({ commonName: 'bench file-server CA', isCa: true }) : undefined;
  const server = ca ? await lib.generateCertificate({ issuer: ca }) : undefined;
  const fleet = await lib.startFleet({ profile, count: n, timeScale: 0.001, cr: false, waitFor: 'bootstrap', ...(ca ? { transfer: { ca: ca.cert } } : {}) });
  const filesChild = files === 'child' ? startFilesChild(process.argv[4], sizeMiB, '9.9.9', server) : undefined;
  try {
    const acs = fleet.acs;
    let url;
    if (filesChild) url = await filesChild.url;
    else {
      if (server) await acs.files.listenTls(server);
      acs.files.serve('bench.img', { image: { version: '9.9.9', size: sizeMiB * MiB } });
      url = acs.files.url('bench.img', { tls: server !== undefined });
    }
    if (https && !url.startsWith('https://')) throw new Error(`expected an https:// image URL, got ${url}`);
    const before = await settledMemory();
    let peak = before.rss;
    const peaks = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      for (const k of Object.keys(peaks)) peaks[k] = Math.max(peaks[k], m[k]);
    }, 20);
    const t0 = process.hrtime.bigint();
    const sent = fleet.cpes.map((cpe, i) => acs.download(cpe.id, { url, commandKey: `bench-${i}`, fileSize: sizeMiB * MiB }));
    await Promise.all(fleet.cpes.map((cpe) => cpe.inform(['6 CONNECTION REQUEST'])));
    await Promise.all(sent);
    const tcs = await Promise.all(fleet.cpes.map((cpe, i) => acs.waitForTransferComplete(cpe.id, { commandKey: `bench-${i}`, timeoutMs: 600_000 })));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const failed = tcs.filter((t) => t.faultCode !== 0);
    if (failed.length > 0) throw new Error(`${failed.length} downloads failed, e.g. ${failed[0].faultCode} ${failed[0].faultString}`);
    const upgraded = fleet.cpes.filter((c) => c.firmwareVersion === '9.9.9').length;
    if (upgraded !== n) throw new Error(`${upgraded} of ${n} CPEs run the new version`);
    const gib = (n * sizeMiB) / 1024;
    return {
      n,
      sizeMiB,
      files,
      scheme: https ? 'https' : 'http',
      rssGrowthMiB: round((peak - before.rss) / MiB),
      baselineRssMiB: before.rssMiB,
      peakRssMiB: round(peak / MiB),
      peakHeapUsedMiB: round(peaks.heapUsed / MiB),
      peakHeapTotalMiB: round(peaks.heapTotal / MiB),
      peakExternalMiB: round(peaks.external / MiB),
      peakArrayBuffersMiB: round(peaks.arrayBuffers / MiB),
      baselineHeapTotalMiB: before.heapTotalMiB,
      totalGiB: round(gib, 2),
      seconds: round(ms / 1000, 1),
      MiBPerS: round((n * sizeMiB) / (ms / 1000)),
    };
  } finally {
    await fleet.close();
    filesChild?.child.send('close');
  }
}
