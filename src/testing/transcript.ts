/**
 * What a failing test prints: the Connection Request outcomes and the recorded CWMP
 * sessions of the CPEs that were active during the test, bounded so a 1,000-CPE
 * fleet does not flood a CI log.
 * @module
 */
import { formatCrOutcome, type CrOutcome, type Fleet } from '../fleet/index.js';

/**
 * A mark taken when a test starts: per CPE, the id of the last session recorded
 * before it; `crSeq`: the last Connection Request outcome recorded before it.
 */
export interface SessionMark extends ReadonlyMap<string, number> {
  readonly crSeq?: number;
}

/** What the transcript reads of a fleet (`crRequests` is optional so hand-made fleets work). */
export type TranscriptSource = Pick<Fleet, 'cpes'> & Partial<Pick<Fleet, 'crRequests'>>;

/** Output bounds of {@link failureTranscript}. */
export interface TranscriptBounds {
  /** CPEs printed (the most recently active first). Default 5. */
  maxCpes?: number;
  /** Sessions printed per CPE (the latest). Default 5. */
  maxSessions?: number;
  /** Connection Request outcomes printed per CPE (the latest). Default 10. */
  maxCrRequests?: number;
  /** Characters in total. Default 20,000. */
  maxChars?: number;
}

/** Records where each CPE's transcript stands, so a shared fleet prints only this test's sessions. */
export function markSessions(fleet: TranscriptSource): SessionMark {
  const mark = new Map<string, number>();
  for (const cpe of fleet.cpes) {
    const last = cpe.sessions[cpe.sessions.length - 1];
    if (last) mark.set(cpe.id, last.id);
  }
  const crSeq = fleet.crRequests?.().at(-1)?.seq;
  return crSeq === undefined ? mark : Object.assign(mark, { crSeq });
}

/**
 * For every CPE that had a session or was sent a Connection Request after `mark`
 * (everything without a mark), newest activity first, within `bounds`: its CR
 * outcomes (`cpe-2  CR GET /cr/cpe-2 → 401 unauthorized (wrong-credentials)`) and its
 * sessions (`SessionRecord.toString()`). Returns `''` when no CPE was active.
 */
export function failureTranscript(fleet: TranscriptSource, mark?: SessionMark, bounds: TranscriptBounds = {}): string {
  const maxCpes = bounds.maxCpes ?? 5;
  const maxSessions = bounds.maxSessions ?? 5;
  const maxCrRequests = bounds.maxCrRequests ?? 10;
  const maxChars = bounds.maxChars ?? 20_000;
  const crAfter = mark?.crSeq ?? 0;
  const latest = (a: { sessions: readonly { startedAt: number }[]; crs: readonly CrOutcome[] }): number =>
    // Both on the fleet clock (CrOutcome.time is documented as such).
    Math.max(a.sessions[a.sessions.length - 1]?.startedAt ?? -Infinity, a.crs[a.crs.length - 1]?.time ?? -Infinity);
  const active = fleet.cpes
    .map((cpe) => {
      const after = mark?.get(cpe.id) ?? -Infinity;
      const crs = fleet.crRequests ? fleet.crRequests(cpe.id).filter((o) => o.seq > crAfter) : [];
      return { cpe, sessions: cpe.sessions.filter((s) => s.id > after), crs };
    })
    .filter((a) => a.sessions.length > 0 || a.crs.length > 0)
    .sort((a, b) => latest(b) - latest(a));
  // Requests to a path no CPE publishes (404): the usual sign of an ACS using a wrong URL.
  const unrouted = fleet.crRequests ? fleet.crRequests().filter((o) => o.cpeId === undefined && o.seq > crAfter) : [];
  if (active.length === 0 && unrouted.length === 0) return '';
  const out: string[] = [`cpe-sim: CWMP transcript of ${Math.min(active.length, maxCpes)} of ${active.length} active CPE(s)`];
  for (const { cpe, sessions, crs } of active.slice(0, maxCpes)) {
    const shown = sessions.slice(-maxSessions);
    out.push(`── ${cpe.id} (${cpe.serialNumber}) ─ ${sessions.length} session(s)${shown.length < sessions.length ? `, last ${shown.length} shown` : ''}`);
    if (crs.length > 0) {
      const crShown = crs.slice(-maxCrRequests);
      out.push(`Connection Requests: ${crs.length}${crShown.length < crs.length ? `, last ${crShown.length} shown` : ''}`);
      for (const o of crShown) out.push(`  ${formatCrOutcome(o)}`);
    }
    for (const s of shown) out.push(s.toString());
  }
  if (active.length > maxCpes) out.push(`… ${active.length - maxCpes} more active CPE(s) not shown`);
  if (unrouted.length > 0) {
    const shown = unrouted.slice(-maxCrRequests);
    out.push(`── Connection Requests to no CPE's URL: ${unrouted.length}${shown.length < unrouted.length ? `, last ${shown.length} shown` : ''}`);
    for (const o of shown) out.push(`  ${formatCrOutcome(o)}`);
  }
  let text = out.join('\n');
  if (text.length > maxChars) text = `${text.slice(0, maxChars)}\n… transcript truncated at ${maxChars} characters`;
  return text;
}
