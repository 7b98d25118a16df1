/**
 * A CPE's sessions as people read them: JSON with secrets blanked (the admin API),
 * and the session timeline drawn in a browser (the admin dashboard, the HTML file a
 * failing test writes). Used by `admin/` and `testing/`; knows only `cpe/`'s types.
 * @module
 */
export { sessionView, isSecretLeaf, REDACTED } from './view.js';
export type { SessionView, SessionViewEntry } from './view.js';
export { timelineHtml, scriptSafeJson, TIMELINE_JS, TIMELINE_CSS } from './html.js';
export type { TimelineReport, TimelineReportCpe } from './html.js';
