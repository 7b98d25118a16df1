// The fake ACS's file server in its own process (firmware-download): the CPEs' process
// then holds only what the simulator spends on downloads. Replies { url } once the image
// is served; exits when the parent says 'close' or disconnects.
// argv: <bench entry> <image MiB> <version>; env BENCH_FILES_TLS = {"key","cert"} (PEM): HTTPS instead.
import { pathToFileURL } from 'node:url';

const lib = await import(pathToFileURL(process.argv[2]).href);
const acs = await lib.createFakeAcs({ host: '127.0.0.1', port: 0 });
const tls = process.env.BENCH_FILES_TLS ? JSON.parse(process.env.BENCH_FILES_TLS) : undefined;
if (tls) await acs.files.listenTls(tls);
acs.files.serve('bench.img', { image: { version: process.argv[4], size: Number(process.argv[3]) * 1024 * 1024 } });
const url = acs.files.url('bench.img', { tls: tls !== undefined });
process.on('message', async (m) => {
  if (m === 'close') {
    await acs.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ url });
