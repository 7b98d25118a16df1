/**
 * `cpe-sim/msw`: the fake ACS as msw 2 request handlers, so a CPE whose HTTP goes
 * through the global `fetch` (or node:http) talks to the ACS with no port. The same
 * {@link AcsCore} answers as for the real server: sessions, cookies, auth, queues,
 * behaviours and transcripts are identical.
 *
 * msw 2 does not intercept undici's own `request()`/`fetch()` (mswjs/msw#2165): use
 * the CPE transport `'fetch'`. When the code under test also sends real loopback
 * traffic (Connection Requests), start msw with `onUnhandledRequest: 'bypass'`.
 * @example
 * const acs = await createFakeAcs();
 * const server = setupServer(...acsHandlers(acs, { url: 'http://acs.test/cwmp' }));
 * server.listen({ onUnhandledRequest: 'bypass' });
 * @module
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { coreOf } from './core.js';
import type { FakeAcs } from './types.js';

/** Options of {@link acsHandlers}. */
export interface AcsHandlersOptions {
  /** The ACS URL the CPE is configured with, e.g. `http://acs.test/cwmp`. Every method on it is handled (non-POST → 405). */
  url: string;
}

/**
 * msw handlers answering CWMP on `opts.url` with the session logic of `acs`.
 * A `dropConnection` behaviour becomes `HttpResponse.error()` (a network error).
 */
export function acsHandlers(acs: FakeAcs, opts: AcsHandlersOptions): RequestHandler[] {
  const core = coreOf(acs);
  return [
    http.all(opts.url, async ({ request }) => {
      const u = new URL(request.url);
      const headers: Record<string, string | undefined> = {};
      request.headers.forEach((v, k) => {
        headers[k.toLowerCase()] = v;
      });
      const body = Buffer.from(await request.arrayBuffer());
      const r = await core.handle({
        method: request.method.toUpperCase(),
        target: `${u.pathname}${u.search}`,
        headers,
        body,
        pathMatched: true,
      });
      if (r.destroy) return HttpResponse.error();
      return new HttpResponse(r.status === 204 ? null : r.body, { status: r.status, headers: r.headers });
    }),
  ];
}
