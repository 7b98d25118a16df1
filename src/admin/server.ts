/**
 * `startAdminServer`: the admin API (and `/metrics`) on a server of its own, bound to
 * loopback unless the caller names another host.
 * @module
 */
import Fastify from 'fastify';
import { isIP } from 'node:net';
import type { Fleet } from '../fleet/index.js';
import type { Logger } from '../log/index.js';
import { createFleetMetrics, type FleetMetrics } from './metrics.js';
import { createAdminRouter } from './router.js';

/** Options of {@link startAdminServer}. */
export interface AdminServerOptions {
  /** Default `127.0.0.1`. Any other host exposes the fleet's controls to that network: set a `token` then. */
  host?: string;
  /** Default 0 (the OS picks one; read it from `url`). */
  port?: number;
  /** Bearer token required on every route (`Authorization: Bearer <token>`). */
  token?: string;
  /** Largest request body in bytes (default 64 KiB); a larger one is a 413. */
  bodyLimit?: number;
  /** Serve `/metrics` (default true). */
  metrics?: boolean;
  /** Serve the live dashboard at `/` (default true; its sessions/s chart needs `metrics`). */
  dashboard?: boolean;
  logger?: Logger;
}

/** A running admin server. */
export interface AdminServer extends AsyncDisposable {
  /** `http://host:port` as bound (IPv6 in brackets). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The fleet's metrics (absent with `metrics: false`). */
  readonly metrics: FleetMetrics | undefined;
  /** Idempotent: stops listening and observing the fleet. */
  close(): Promise<void>;
}

/**
 * Serves the admin API of `fleet` over HTTP.
 * @example
 * await using admin = await startAdminServer(fleet, { port: 9100, token: process.env.ADMIN_TOKEN });
 * // curl -H "Authorization: Bearer $ADMIN_TOKEN" http://127.0.0.1:9100/cpes
 */
export async function startAdminServer(fleet: Fleet, opts: AdminServerOptions = {}): Promise<AdminServer> {
  const metrics = opts.metrics === false ? undefined : createFleetMetrics(fleet);
  const app = Fastify({ bodyLimit: opts.bodyLimit ?? 64 * 1024, logger: false, ajv: { customOptions: { removeAdditional: false, allErrors: false } } });
  try {
    await app.register(createAdminRouter(fleet, { ...(opts.token !== undefined ? { token: opts.token } : {}), ...(metrics ? { metrics } : {}), ...(opts.logger ? { logger: opts.logger } : {}), ...(opts.dashboard === false ? { dashboard: false } : {}) }));
    await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  } catch (err) {
    metrics?.close();
    await app.close();
    throw err;
  }
  const addr = app.server.address();
  const host = typeof addr === 'object' && addr ? addr.address : (opts.host ?? '127.0.0.1');
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      metrics?.close();
      await app.close();
    })());
  return {
    url: `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`,
    host,
    port,
    metrics,
    close,
    [Symbol.asyncDispose]: close,
  };
}
