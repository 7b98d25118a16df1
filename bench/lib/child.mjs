// Runs ONE bench case in a fresh process (so RSS and heap are this case's alone) and
// reports { ok, metrics } to the parent over IPC.
// argv: <case module path> <params JSON> <bench entry path>
import { pathToFileURL } from 'node:url';

const [caseFile, paramsJson, entryFile] = process.argv.slice(2);
const send = (msg) => new Promise((resolve) => process.send(msg, resolve));
try {
  const lib = await import(pathToFileURL(entryFile).href);
  const mod = await import(pathToFileURL(caseFile).href);
  const metrics = await mod.run(lib, JSON.parse(paramsJson));
  await send({ ok: true, metrics });
} catch (err) {
  await send({ ok: false, error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) });
}
// Servers or sockets a case failed to close must not keep the child alive.
process.exit(0);
