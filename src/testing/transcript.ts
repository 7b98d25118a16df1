/**
 * What a failing test prints: the recorded CWMP sessions of the CPEs that were
 * active during the test, bounded so a 1,000-CPE fleet does not flood a CI log.
 * @module
 */
import type { Fleet } from '../fleet/index.js';

/** A mark taken when a test starts: per CPE, the id of the last session recorded before it. */
export type SessionMark = ReadonlyMap<string, number>;

/** Output bounds of {@link failureTranscript}. */
export interface TranscriptBounds {
  /** CPEs printed (the most recently active first). Default 5. */
  maxCpes?: number;
  /** Sessions printed per CPE (the latest). Default 5. */
  maxSessions?: number;
  /** Characters in total. Default 20,000. */
  maxChars?: number;
}

/** Records where each CPE's transcript stands, so a shared fleet prints only this test's sessions. */
export function markSessions(fleet: Pick<Fleet, 'cpes'>): SessionMark {
  const mark = new Map<string, number>();
  for (const cpe of fleet.cpes) {
    const last = cpe.sessions[cpe.sessions.length - 1];
    if (last) mark.set(cpe.id, last.id);
  }
  return mark;
}

/**
 * The sessions (`SessionRecord.toString()`) of every CPE that had a session after
 * `mark` (all sessions without a mark), newest CPEs first, within `bounds`. Returns
 * `''` when no CPE had a session.
 */
export function failureTranscript(fleet: Pick<Fleet, 'cpes'>, mark?: SessionMark, bounds: TranscriptBounds = {}): string {
  const maxCpes = bounds.maxCpes ?? 5;
  const maxSessions = bounds.maxSessions ?? 5;
  const maxChars = bounds.maxChars ?? 20_000;
  const active = fleet.cpes
    .map((cpe) => {
      const after = mark?.get(cpe.id) ?? -Infinity;
      return { cpe, sessions: cpe.sessions.filter((s) => s.id > after) };
    })
    .filter((a) => a.sessions.length > 0)
    .sort((a, b) => (b.sessions[b.sessions.length - 1]?.startedAt ?? 0) - (a.sessions[a.sessions.length - 1]?.startedAt ?? 0));
  if (active.length === 0) return '';
  const out: string[] = [`cpe-sim: CWMP transcript of ${Math.min(active.length, maxCpes)} of ${active.length} active CPE(s)`];
  for (const { cpe, sessions } of active.slice(0, maxCpes)) {
    const shown = sessions.slice(-maxSessions);
    out.push(`── ${cpe.id} (${cpe.serialNumber}) ─ ${sessions.length} session(s)${shown.length < sessions.length ? `, last ${shown.length} shown` : ''}`);
    for (const s of shown) out.push(s.toString());
  }
  if (active.length > maxCpes) out.push(`… ${active.length - maxCpes} more active CPE(s) not shown`);
  let text = out.join('\n');
  if (text.length > maxChars) text = `${text.slice(0, maxChars)}\n… transcript truncated at ${maxChars} characters`;
  return text;
}
