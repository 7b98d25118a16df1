/**
 * The HTML transcript: one self-contained file (styles, scripts and data inline, no
 * network) that draws each CPE's session timeline, as the dashboard does.
 * @module
 */
import { createHash } from 'node:crypto';
import reportCss from './assets/report.css?raw';
import reportJs from './assets/report.js?raw';
import timelineCss from './assets/timeline.css?raw';
import timelineJs from './assets/timeline.js?raw';
import type { SessionView } from './view.js';

/** The browser script that draws a timeline (`globalThis.CpeSimTimeline`). */
export const TIMELINE_JS: string = timelineJs;
/** Its styles (bar and tick colours, the message list). */
export const TIMELINE_CSS: string = timelineCss;

/** One CPE of a {@link TimelineReport}. */
export interface TimelineReportCpe {
  id: string;
  serialNumber: string;
  /** Oldest first, as `sessionView` makes them (secrets blanked). */
  sessions: SessionView[];
  /** Earlier sessions left out of the file. */
  omitted?: number;
  /** Connection Request outcomes, one line each. */
  crs?: string[];
}

/** What {@link timelineHtml} draws. */
export interface TimelineReport {
  /** The page heading, e.g. the failed test's name. */
  title: string;
  /** Wall-clock ms of writing. */
  createdAt: number;
  /** Shown under the heading as they are (e.g. the test's error messages). */
  notes?: string[];
  cpes: TimelineReportCpe[];
  /** A line at the end, e.g. how many active CPEs were left out. */
  more?: string;
}

/**
 * JSON that can sit inside `<script type="application/json">`: no `<` (so no
 * `</script>` or `<!--` from a parameter value), and no U+2028/2029.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * A self-contained HTML page of `report`. Every string from the fleet travels as JSON
 * data and is set with `textContent` in the page; the Content-Security-Policy allows
 * only the page's own two scripts and stylesheet (by hash) and no network at all, so
 * even a value that escaped the JSON could not run.
 * @example
 * await writeFile('timeline.html', timelineHtml({ title: 'my test', createdAt: Date.now(), cpes: [{ id: cpe.id, serialNumber: cpe.serialNumber, sessions: cpe.sessions.map((s) => sessionView(cpe, s)) }] }));
 */
export function timelineHtml(report: TimelineReport): string {
  const css = `${timelineCss}\n${reportCss}`;
  const csp = `default-src 'none'; script-src ${sha256(timelineJs)} ${sha256(reportJs)}; style-src ${sha256(css)}; base-uri 'none'; form-action 'none'`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>cpe-sim transcript</title>',
    `<style>${css}</style>`,
    '</head>',
    '<body>',
    `<script type="application/json" id="cpe-sim-data">${scriptSafeJson(report)}</script>`,
    '<div id="report"></div>',
    `<script>${timelineJs}</script>`,
    `<script>${reportJs}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
