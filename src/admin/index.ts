/**
 * Watching and steering a running fleet: the admin HTTP API (Fastify), Prometheus
 * metrics (prom-client) over the fleet's public events. Top floor beside `cli/`:
 * it uses the public faces of `fleet/` and `cpe/` only.
 * @module
 */
export { startAdminServer } from './server.js';
export type { AdminServer, AdminServerOptions } from './server.js';
export { createAdminRouter, selectCpes } from './router.js';
export type { AdminRouterOptions, AdminErrorBody, CpeSelector } from './router.js';
export { createFleetMetrics, sessionTrigger } from './metrics.js';
export type { FleetMetrics } from './metrics.js';
export { cpeState, CPE_STATES } from './view.js';
export type { CpeState, CpeSummary, CpeDetails } from './view.js';
