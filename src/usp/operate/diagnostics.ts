/**
 * Diagnostics as USP commands (TR-181 2.19: `Device.IP.Diagnostics.IPPing()`,
 * `TraceRoute()`, `DownloadDiagnostics()`, `UploadDiagnostics()`, `UDPEcho()`,
 * `Device.DNS.Diagnostics.NSLookupDiagnostics()`), each asynchronous with its Request
 * row. They run the profile's diagnostics state machines (profile-format §9) through
 * the device, so a USP run and a CWMP run of one CPE give results of the same kind;
 * a command exists only where the profile declares that diagnostic.
 * @module
 */
import { CommandFailure, type CommandDef, type OperationsHost } from './index.js';

/** The diagnostics commands the device offers (none without `device.runDiagnostic`). */
export function diagnosticsCommands(host: OperationsHost): CommandDef[] {
  const { device } = host;
  const run = device.runDiagnostic?.bind(device);
  const list = device.diagnostics?.() ?? [];
  if (run === undefined) return [];
  return list.map((d) => {
    // The diagnostics object's writable leaves are the command's inputs, the others its outputs.
    const base = `${d.objectPath}${d.name}.`;
    const leaves = host.tree.has(base) ? host.tree.getNames(base, false).filter((n) => !n.name.endsWith('.') && !n.name.endsWith('.DiagnosticsState')) : [];
    const rel = (n: { name: string }): string => n.name.slice(base.length).replace(/\.\d+\./g, '.{i}.');
    return {
    // `Device.IP.Diagnostics.IPPing.DiagnosticsState` → the command `Device.IP.Diagnostics.IPPing()`.
    path: `${d.objectPath}${d.name}()`,
    async: true,
    input: leaves.filter((n) => n.writable).map(rel),
    output: ['Status', ...new Set(leaves.filter((n) => !n.writable).map(rel))],
    mandatory: [],
    run: async (r) => {
      const res = await run(d.name, r.inputs);
      // TR-181 2.19: a diagnostics command's Status output is the final state; an
      // Error_ state is a result, not a command failure (the outputs say what went wrong).
      if (res.state === '') throw new CommandFailure(7022, `${d.name}() ended without a state`);
      return { Status: res.state, ...res.results };
    },
    };
  });
}
