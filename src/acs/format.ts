/**
 * One-line rendering of ACS transcript lines, for the CLI's live output
 * (`cpe-sim acs`, `--verbose` adds the XML).
 * @module
 */
import type { AcsTranscriptLine } from './types.js';

/**
 * Formats one message as a line: time, session, CPE serial, direction, HTTP status, summary.
 * With `verbose`, the raw XML follows on the next lines (needs `keepXml: true` on the ACS).
 * @example
 * createFakeAcs({ keepXml: verbose, onMessage: (l) => console.log(formatAcsLine(l, { verbose })) });
 * // 2025-03-01T10:15:00.000Z #1 SIM000001 cpe->acs      Inform [0 BOOTSTRAP, 1 BOOT] retry=0
 * // 2025-03-01T10:15:00.002Z #1 SIM000001 acs->cpe 200  InformResponse
 */
export function formatAcsLine(line: AcsTranscriptLine, opts: { verbose?: boolean } = {}): string {
  const time = new Date(line.time).toISOString();
  const session = line.sessionId !== undefined ? `#${line.sessionId}` : '#-';
  const status = line.status !== undefined ? String(line.status) : '';
  let out = `${time} ${session} ${line.cpe} ${line.dir} ${status.padEnd(4)} ${line.summary}`;
  if (opts.verbose && line.xml !== undefined && line.xml !== '') {
    out += '\n' + line.xml.replace(/\s+$/, '').split('\n').map((l) => `    ${l}`).join('\n');
  }
  return out;
}
