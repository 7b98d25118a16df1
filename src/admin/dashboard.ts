/**
 * The live dashboard: a page at `/` of the admin router and its four static files,
 * inlined into the build (no CDN, nothing fetched from elsewhere), plus `GET /summary`,
 * the one JSON route it needs besides the API's own (`/cpes`, `/cpes/{id}`,
 * `/cpes/{id}/sessions`).
 * @module
 */
import { basename } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Fleet } from '../fleet/index.js';
import { redactUrl } from '../log/index.js';
import { TIMELINE_CSS, TIMELINE_JS } from '../timeline/index.js';
import appJs from './dashboard/app.js?raw';
import dashboardCss from './dashboard/dashboard.css?raw';
import indexHtml from './dashboard/index.html?raw';
import type { FleetMetrics } from './metrics.js';
import { CPE_STATES, cpeState, type CpeState } from './view.js';

/**
 * Route config marking the dashboard's static files: they carry no fleet data, so they
 * are served without the bearer token (a browser cannot send one with a page load);
 * the page asks for the token and sends it with every API call.
 */
export const PUBLIC_ROUTE = 'cpeSimPublic';

/** The dashboard's summary route: the fleet now, and cumulative session counts. */
export interface FleetSummary {
  /** Wall-clock ms when read (the page computes sessions/s between two reads). */
  time: number;
  /** The profile's file name. */
  profile: string;
  seed: string;
  /** The ACS URL, credentials blanked. */
  acsUrl: string;
  cpes: number;
  states: Record<CpeState, number>;
  /** Sessions ended since the metrics began (they count the boot), absent without metrics. */
  sessions?: { ok: number; failed: number };
}

/**
 * Scripts and styles only from this server, no plugins, no framing: if a value from
 * the fleet ever reached markup, the browser would still refuse to run it.
 */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const FILES: Readonly<Record<string, readonly [string, string]>> = {
  'app.js': ['text/javascript; charset=utf-8', appJs],
  'timeline.js': ['text/javascript; charset=utf-8', TIMELINE_JS],
  'dashboard.css': ['text/css; charset=utf-8', dashboardCss],
  'timeline.css': ['text/css; charset=utf-8', TIMELINE_CSS],
};

function send(reply: FastifyReply, type: string, body: string): FastifyReply {
  return reply.type(type).header('cache-control', 'no-cache').header('content-security-policy', PAGE_CSP).header('x-frame-options', 'DENY').header('referrer-policy', 'no-referrer').send(body);
}

/** Reads the fleet's summary; session counts come from `metrics` (one count, the same `/metrics` shows). */
export async function fleetSummary(fleet: Fleet, metrics: FleetMetrics | undefined): Promise<FleetSummary> {
  const states = Object.fromEntries(CPE_STATES.map((s) => [s, 0])) as Record<CpeState, number>;
  for (const cpe of fleet.cpes) states[cpeState(cpe)]++;
  const out: FleetSummary = { time: Date.now(), profile: basename(fleet.profile.source), seed: String(fleet.seed), acsUrl: redactUrl(fleet.acsUrl), cpes: fleet.cpes.length, states };
  const counter = metrics?.registry.getSingleMetric('cpesim_sessions_total');
  if (counter) {
    const sessions = { ok: 0, failed: 0 };
    for (const v of (await counter.get()).values) {
      if (v.labels['outcome'] === 'ok') sessions.ok += v.value;
      else if (v.labels['outcome'] === 'failed') sessions.failed += v.value;
    }
    out.sessions = sessions;
  }
  return out;
}

/** Adds the dashboard's routes to the admin router. */
export function registerDashboard(app: FastifyInstance, fleet: Fleet, metrics: FleetMetrics | undefined): void {
  const config = { [PUBLIC_ROUTE]: true };
  app.get('/', { config, schema: { hide: true } }, async (req, reply) => {
    // The page's links are relative: under a prefix (`/sim`) they need the trailing slash.
    const path = req.url.split('?')[0] ?? '/';
    if (!path.endsWith('/')) return reply.redirect(`${path}/`, 308);
    return send(reply, 'text/html; charset=utf-8', indexHtml);
  });
  app.get('/dashboard/:file', { config, schema: { hide: true } }, async (req, reply) => {
    const name = (req.params as { file: string }).file;
    const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!file) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such dashboard file' } });
    return send(reply, file[0], file[1]);
  });
  app.get(
    '/summary',
    {
      schema: {
        summary: 'The fleet now: CPEs by state, sessions ended by outcome (cumulative; the dashboard polls it)',
        response: {
          200: {
            type: 'object',
            properties: {
              time: { type: 'number' },
              profile: { type: 'string' },
              seed: { type: 'string' },
              acsUrl: { type: 'string' },
              cpes: { type: 'integer' },
              states: { type: 'object', additionalProperties: { type: 'integer' } },
              sessions: { type: 'object', properties: { ok: { type: 'integer' }, failed: { type: 'integer' } } },
            },
          },
        },
      },
    },
    async () => fleetSummary(fleet, metrics),
  );
}
