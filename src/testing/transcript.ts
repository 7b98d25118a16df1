/**
 * What a failing test prints: the Connection Request outcomes and the recorded CWMP
 * sessions of the CPEs that were active during the test, bounded so a 1,000-CPE
 * fleet does not flood a CI log.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Cpe, SessionRecord } from '../cpe/index.js';
import { formatCrOutcome, type CrOutcome, type Fleet } from '../fleet/index.js';
import { sessionView, timelineHtml, type TimelineReport } from '../timeline/index.js';

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

/** What a CPE did after a mark. */
interface Activity {
  cpe: Cpe;
  sessions: SessionRecord[];
  crs: CrOutcome[];
}

/**
 * Every CPE that had a session or was sent a Connection Request after `mark`, newest
 * activity first, and the Connection Requests to no CPE's URL.
 */
function activity(fleet: TranscriptSource, mark: SessionMark | undefined): { active: Activity[]; unrouted: CrOutcome[] } {
  const crAfter = mark?.crSeq ?? 0;
  const latest = (a: Activity): number =>
    // Both on the fleet clock (CrOutcome.time is documented as such).
    Math.max(a.sessions[a.sessions.length - 1]?.startedAt ?? -Infinity, a.crs[a.crs.length - 1]?.time ?? -Infinity);
  const active = fleet.cpes
    .map((cpe) => {
      const after = mark?.get(cpe.id) ?? -Infinity;
      const crs = fleet.crRequests ? fleet.crRequests(cpe.id).filter((o) => o.seq > crAfter) : [];
      const sessions = cpe.sessions.filter((s) => s.id > after);
      // A session still running when the test failed (its Inform seen, its end not yet) is shown as far as it got.
      const running = cpe.currentSession;
      if (running && running.id > after && !sessions.includes(running)) sessions.push(running);
      return { cpe, sessions, crs };
    })
    .filter((a) => a.sessions.length > 0 || a.crs.length > 0)
    .sort((a, b) => latest(b) - latest(a));
  // Requests to a path no CPE publishes (404): the usual sign of an ACS using a wrong URL.
  const unrouted = fleet.crRequests ? fleet.crRequests().filter((o) => o.cpeId === undefined && o.seq > crAfter) : [];
  return { active, unrouted };
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
  const { active, unrouted } = activity(fleet, mark);
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

/** What a failed test tells {@link writeFailureTimeline}. */
export interface FailedTest {
  /** `describe › test`. */
  name: string;
  /** The test's error messages (shown at the top of the page). */
  errors?: string[];
}

/** Bounds of the HTML timeline: more than the text (a page scrolls; a CI log does not). */
const HTML_MAX_CPES = 20;
const HTML_MAX_SESSIONS = 20;
const HTML_MAX_ERROR_CHARS = 4000;

/**
 * The timeline page of the CPEs active since `mark` (the same CPEs, in the same order,
 * as {@link failureTranscript}), or `undefined` when none was. Secrets are blanked as
 * the admin API blanks them.
 */
export function failureTimeline(fleet: TranscriptSource, mark: SessionMark | undefined, test: FailedTest): TimelineReport | undefined {
  const { active, unrouted } = activity(fleet, mark);
  if (active.length === 0 && unrouted.length === 0) return undefined;
  const more = [
    ...(active.length > HTML_MAX_CPES ? [`… ${active.length - HTML_MAX_CPES} more active CPE(s) not shown`] : []),
    ...(unrouted.length > 0 ? [`Connection Requests to no CPE's URL: ${unrouted.map((o) => formatCrOutcome(o)).join('; ')}`] : []),
  ];
  return {
    title: test.name,
    createdAt: Date.now(),
    ...(test.errors?.length ? { notes: test.errors.map((e) => (e.length > HTML_MAX_ERROR_CHARS ? `${e.slice(0, HTML_MAX_ERROR_CHARS)}…` : e)) } : {}),
    cpes: active.slice(0, HTML_MAX_CPES).map(({ cpe, sessions, crs }) => ({
      id: cpe.id,
      serialNumber: cpe.serialNumber,
      sessions: sessions.slice(-HTML_MAX_SESSIONS).map((s) => sessionView(cpe, s)),
      ...(sessions.length > HTML_MAX_SESSIONS ? { omitted: sessions.length - HTML_MAX_SESSIONS } : {}),
      ...(crs.length > 0 ? { crs: crs.map((o) => formatCrOutcome(o)) } : {}),
    })),
    ...(more.length > 0 ? { more: more.join('\n') } : {}),
  };
}

/** Where HTML timelines go: `transcriptDir`, else `$CPE_SIM_TRANSCRIPT_DIR`, else `<tmp>/cpe-sim-transcripts`. */
export function transcriptDir(option?: string): string {
  return resolve(option ?? process.env['CPE_SIM_TRANSCRIPT_DIR'] ?? join(tmpdir(), 'cpe-sim-transcripts'));
}

let written = 0;

/**
 * Writes the timeline page of a failed test (self-contained HTML) into `dir`; returns
 * its absolute path, or `undefined` when no CPE was active. The name is the test's,
 * made file-safe, plus a counter and the process id, so parallel workers never collide.
 */
export function writeFailureTimeline(fleet: TranscriptSource, mark: SessionMark | undefined, test: FailedTest, dir?: string): string | undefined {
  const report = failureTimeline(fleet, mark, test);
  if (!report) return undefined;
  const folder = transcriptDir(dir);
  mkdirSync(folder, { recursive: true });
  const slug = test.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'test';
  const file = join(folder, `${slug}-${process.pid}-${++written}.html`);
  writeFileSync(file, timelineHtml(report));
  return file;
}

/**
 * Adds `note` to the first error of a failed test, so the runner's failure message
 * carries it (Vitest's serialized `{ message, stack }`, Jest's `Error` or its
 * `[error, asyncError]` pair). Returns false when there is no error to carry it.
 */
export function appendToFailure(errors: readonly unknown[] | undefined, note: string): boolean {
  let first = errors?.[0];
  if (Array.isArray(first)) first = first[0] ?? first[1];
  if (typeof first !== 'object' || first === null || typeof (first as { message?: unknown }).message !== 'string') return false;
  const e = first as { message: string; stack?: unknown };
  const before = e.message;
  e.message = `${before}\n\n${note}`;
  // Runners print the stack, which begins with the message as it was when the error was made.
  if (typeof e.stack === 'string' && before !== '' && e.stack.includes(before)) e.stack = e.stack.replace(before, e.message);
  return true;
}

/** The messages of a failed test's errors (Vitest's or Jest's shapes). */
export function errorMessages(errors: readonly unknown[] | undefined): string[] {
  const out: string[] = [];
  for (const x of errors ?? []) {
    const e: unknown = Array.isArray(x) ? (x[0] ?? x[1]) : x;
    if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') out.push((e as { message: string }).message);
    else if (e !== undefined) out.push(String(e));
  }
  return out;
}
