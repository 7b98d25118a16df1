/**
 * The admin HTTP API as a Fastify plugin: routes over the fleet's public API
 * (`fleet.cpe()`, `Cpe` getters and triggers, the parameter tree), JSON Schemas that
 * Fastify validates (a 400 names the field) and @fastify/swagger turns into the
 * OpenAPI description at `/openapi.json`.
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Behaviour, Cpe, SessionRecord } from '../cpe/index.js';
import { checkBehaviour } from '../cpe/index.js';
import type { EventCode } from '../cwmp/index.js';
import { isValidEventCode } from '../cwmp/index.js';
import { checkValue } from '../datamodel/index.js';
import { CpeSimError, isCpeSimError, isCwmpFault } from '../errors/index.js';
import type { Fleet } from '../fleet/index.js';
import type { Logger } from '../log/index.js';
import { silentLogger } from '../log/index.js';
import type { FleetMetrics } from './metrics.js';
import { isSecretLeaf, REDACTED, sessionView } from '../timeline/index.js';
import { PUBLIC_ROUTE, registerDashboard } from './dashboard.js';
import { cpeState, describeCpe, summarizeCpe, CPE_STATES, type CpeSummary } from './view.js';

/** Options of {@link createAdminRouter}. */
export interface AdminRouterOptions {
  /** Bearer token every request must carry (`Authorization: Bearer <token>`); absent: none. */
  token?: string;
  /** Serves `GET /metrics` from these metrics (see `createFleetMetrics`). */
  metrics?: FleetMetrics;
  /**
   * Serve the live dashboard at `/` (default true): a page over `/summary`, `/cpes` and
   * the sessions routes. Its static files need no token; the data routes do.
   */
  dashboard?: boolean;
  /** Where failures of fire-and-forget operations (a reboot whose boot session failed) are logged. */
  logger?: Logger;
}

/** The JSON body of every error answer. */
export interface AdminErrorBody {
  error: {
    /** e.g. `CPESIM_UNKNOWN_CPE`, `CWMP_FAULT`, `FST_ERR_VALIDATION`, `UNAUTHORIZED`. */
    code: string;
    message: string;
    /** The CWMP fault an ACS would have got for the same request (9005, 9007, 9008, …). */
    fault?: { faultCode: number; faultString: string; setParameterValuesFault?: { parameterName: string; faultCode: number; faultString: string }[] };
  };
}

/** A set of CPEs for a fleet-wide operation: exactly one of `ids`, `range`, `share`. */
export interface CpeSelector {
  ids?: string[];
  /** 1-based global indexes, both ends included. */
  range?: { from: number; to: number };
  /** A fraction (0, 1] of the fleet's CPEs, spread evenly over the index order. */
  share?: number;
}

class AdminError extends CpeSimError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly fault?: AdminErrorBody['error']['fault'],
  ) {
    super(code, message);
  }
}

// ---- schemas ------------------------------------------------------------------

const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, fault: { type: 'object', additionalProperties: true } }, required: ['code', 'message'] } },
} as const;
const idParam = { type: 'object', properties: { id: { type: 'string', description: "CPE id ('cpe-3') or 1-based global index ('3')" } }, required: ['id'] } as const;
const eventsSchema = { type: 'array', minItems: 1, maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 64 }, description: "TR-069 EventCodes, e.g. ['2 PERIODIC']" } as const;
const selectorSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    ids: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    range: { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 } } },
    share: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  },
} as const;
const errors = { 400: errorSchema, 401: errorSchema, 404: errorSchema } as const;
const freeObject = { type: 'object', additionalProperties: true } as const;

/** Fault code → HTTP status: the name does not exist (9005) is 404, every other refusal 400. */
function faultStatus(code: number): number {
  return code === 9005 ? 404 : 400;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  // Constant time, so the token cannot be guessed byte by byte from response times.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The CPEs a selector names; unknown ids or an out-of-range range are a 404 before anything is done. */
export function selectCpes(fleet: Fleet, sel: CpeSelector): Cpe[] {
  if (sel.ids !== undefined) return sel.ids.map((id) => lookup(fleet, id));
  if (sel.range !== undefined) {
    const { from, to } = sel.range;
    if (to < from) throw new AdminError(400, 'ADMIN_BAD_SELECTOR', `selector.range: "to" (${to}) must be >= "from" (${from})`);
    const out = fleet.cpes.filter((c) => c.index >= from && c.index <= to);
    if (out.length !== to - from + 1) throw new AdminError(404, 'CPESIM_UNKNOWN_CPE', `selector.range ${from}..${to} is not inside this fleet's CPEs (${fleet.cpes[0]?.index ?? 0}..${fleet.cpes[fleet.cpes.length - 1]?.index ?? 0})`);
    return out;
  }
  const share = sel.share ?? 0;
  // Evenly spread and deterministic: CPE i is in when floor((i+1)·share) steps up.
  return fleet.cpes.filter((_c, i) => Math.floor((i + 1) * share) > Math.floor(i * share));
}

function lookup(fleet: Fleet, ref: string): Cpe {
  try {
    return fleet.cpe(/^\d+$/.test(ref) ? Number(ref) : ref);
  } catch (err) {
    if (isCpeSimError(err) && err.code === 'CPESIM_UNKNOWN_CPE') throw new AdminError(404, err.code, err.message);
    throw err;
  }
}

function checkEvents(events: readonly string[]): EventCode[] {
  // The CPE checks the codes too, but only after queueing earlier ones: check all first so nothing changes on error.
  for (const [i, e] of events.entries()) {
    if (!isValidEventCode(e)) throw new AdminError(400, 'CPESIM_EVENT_INVALID', `events[${i}] ${JSON.stringify(e)} is not a TR-069 EventCode (expected e.g. "2 PERIODIC", "M Reboot", "X 00D09E MyEvent")`);
  }
  return events as EventCode[];
}

/**
 * Creates the admin API as a Fastify plugin, to mount on your own Fastify server
 * (`app.register(createAdminRouter(fleet), { prefix: '/admin' })`); `startAdminServer`
 * runs it on its own server.
 */
export function createAdminRouter(fleet: Fleet, opts: AdminRouterOptions = {}): FastifyPluginAsync {
  const log = opts.logger ?? silentLogger;
  const background = (what: string, cpe: Cpe, p: Promise<SessionRecord>): void => {
    p.catch((err: unknown) => log.warn(`admin ${what} failed`, { cpe_id: cpe.id, error: String((err as Error).message ?? err) }));
  };

  return async (app: FastifyInstance): Promise<void> => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'cpe-sim admin API', version: '1', description: 'Watch and steer a simulated TR-069 fleet. Errors: {"error": {code, message, fault?}}.' },
        ...(opts.token !== undefined ? { components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }, security: [{ bearer: [] }] } : {}),
      },
    });

    app.setErrorHandler((err: FastifyError | AdminError, _req, reply: FastifyReply) => {
      if (err instanceof AdminError) return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.fault ? { fault: err.fault } : {}) } });
      if (isCwmpFault(err)) {
        const fault = { faultCode: err.faultCode, faultString: err.faultString, ...(err.setParameterValuesFaults.length ? { setParameterValuesFault: [...err.setParameterValuesFaults] } : {}) };
        return reply.code(faultStatus(err.faultCode)).send({ error: { code: 'CWMP_FAULT', message: err.message, fault } });
      }
      if (isCpeSimError(err)) return reply.code(err.code === 'CPESIM_UNKNOWN_CPE' ? 404 : 400).send({ error: { code: err.code, message: err.message } });
      const fe = err as FastifyError;
      if (fe.validation) return reply.code(400).send({ error: { code: 'FST_ERR_VALIDATION', message: fe.message } });
      // A body that is not JSON is a client error like malformed JSON (415 would say the same less plainly).
      if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(400).send({ error: { code: fe.code, message: 'the body must be JSON (Content-Type: application/json)' } });
      const status = fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
      if (status === 500) log.error('admin request failed', { error: fe.message });
      return reply.code(status).send({ error: { code: fe.code ?? 'INTERNAL', message: status === 500 ? 'internal error (logged)' : fe.message } });
    });

    if (opts.token !== undefined) {
      const token = opts.token;
      app.addHook('onRequest', async (req, reply) => {
        if (tokenMatches(req.headers.authorization, token)) return;
        if ((req.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[PUBLIC_ROUTE] === true) return;
        await reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="cpe-sim admin"')
          .send({ error: { code: 'UNAUTHORIZED', message: req.headers.authorization ? 'wrong bearer token' : 'missing "Authorization: Bearer <token>" header' } });
      });
    }

    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    // Every answer: never sniffed into HTML, whatever a value in it looks like.
    app.addHook('onSend', async (_req, reply) => {
      reply.header('x-content-type-options', 'nosniff');
    });
    if (opts.dashboard !== false) registerDashboard(app, fleet, opts.metrics);

    if (opts.metrics) {
      const metrics = opts.metrics;
      app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format)', tags: ['metrics'] } }, async (_req, reply) => {
        const text = await metrics.text();
        return reply.type(metrics.contentType).send(text);
      });
    }

    app.get(
      '/cpes',
      {
        schema: {
          summary: 'List CPEs with their state',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              state: { type: 'string', enum: [...CPE_STATES] },
              q: { type: 'string', description: 'substring of the id or serial number' },
              offset: { type: 'integer', minimum: 0, default: 0 },
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
          },
          response: { 200: freeObject, 400: errorSchema, 401: errorSchema },
        },
      },
      async (req) => {
        const { state, q, offset, limit } = req.query as { state?: string; q?: string; offset: number; limit: number };
        // One pass, a summary only for the rows answered: the dashboard polls this every
        // two seconds, and a fleet may hold 100,000 CPEs.
        const items: CpeSummary[] = [];
        let total = 0;
        for (const c of fleet.cpes) {
          if (q !== undefined && q !== '' && !c.id.includes(q) && !c.serialNumber.includes(q)) continue;
          if (state !== undefined && cpeState(c) !== state) continue;
          if (total >= offset && items.length < limit) items.push(summarizeCpe(c));
          total++;
        }
        return { total, offset, items };
      },
    );

    app.get('/cpes/:id', { schema: { summary: "One CPE's details", params: idParam, response: { 200: freeObject, ...errors } } }, async (req) => describeCpe(lookup(fleet, (req.params as { id: string }).id)));

    app.get(
      '/cpes/:id/parameters',
      {
        schema: {
          summary: 'Read parameters (a name or a partial path ending in "."; default the whole tree)',
          params: idParam,
          querystring: { type: 'object', additionalProperties: false, properties: { path: { type: 'string', default: '' } } },
          response: { 200: freeObject, ...errors },
        },
      },
      async (req) => {
        const cpe = lookup(fleet, (req.params as { id: string }).id);
        const path = (req.query as { path: string }).path;
        const values = cpe.params.getValues([path]);
        return {
          parameters: values.map((v) => {
            const leaf = cpe.params.get(v.name);
            return { name: v.name, value: isSecretLeaf(cpe, v.name) ? REDACTED : v.value, type: v.type, writable: leaf?.writable ?? false };
          }),
        };
      },
    );

    app.patch(
      '/cpes/:id/parameters',
      {
        schema: {
          summary: 'Write parameters as the device itself (value-change notification reports them, TR-069 A.3.2.4)',
          params: idParam,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['parameters'],
            properties: {
              parameters: { type: 'object', minProperties: 1, maxProperties: 256, additionalProperties: { type: 'string' }, description: '{ "Device.X.Y": "value" }' },
              force: { type: 'boolean', default: false, description: 'also write read-only leaves (the device can; an ACS would get 9008)' },
            },
          },
          response: { 200: freeObject, ...errors },
        },
      },
      async (req) => {
        const cpe = lookup(fleet, (req.params as { id: string }).id);
        const { parameters, force } = req.body as { parameters: Record<string, string>; force: boolean };
        // Every entry is checked before the first write: all or nothing, as SetParameterValues (A.3.2.1).
        const faults: { parameterName: string; faultCode: number; faultString: string }[] = [];
        for (const [name, value] of Object.entries(parameters)) {
          const leaf = name.endsWith('.') ? undefined : cpe.params.get(name);
          if (!leaf) faults.push({ parameterName: name, faultCode: 9005, faultString: `Invalid parameter name: '${name}' is not a parameter of ${cpe.id}` });
          else if (!leaf.writable && !force) faults.push({ parameterName: name, faultCode: 9008, faultString: `Attempt to set a non-writable parameter: '${name}' is read-only (send "force": true to write it as the device)` });
          else {
            const why = checkValue(leaf.type, value);
            if (why !== undefined) faults.push({ parameterName: name, faultCode: 9007, faultString: `Invalid parameter value: ${why}` });
          }
        }
        if (faults.length > 0) {
          const f = faults[0]!;
          const code = faults.length === 1 ? f.faultCode : faults.some((x) => x.faultCode === 9005) && faults.every((x) => x.faultCode === 9005) ? 9005 : 9003;
          throw new AdminError(faultStatus(code), 'CWMP_FAULT', faults.map((x) => `${x.parameterName}: ${x.faultString}`).join('; '), {
            faultCode: code,
            faultString: code === 9003 ? 'Invalid arguments' : f.faultString,
            setParameterValuesFault: faults,
          });
        }
        for (const [name, value] of Object.entries(parameters)) cpe.params.setInternal(name, value);
        return { written: Object.keys(parameters) };
      },
    );

    app.post(
      '/cpes/:id/inform',
      {
        schema: {
          summary: 'Trigger an Inform carrying the given events',
          params: idParam,
          body: { type: 'object', additionalProperties: false, required: ['events'], properties: { events: eventsSchema, wait: { type: 'boolean', default: false, description: 'answer once the session ended, with it' } } },
          response: { 200: freeObject, 202: freeObject, ...errors },
        },
      },
      async (req, reply) => {
        const cpe = lookup(fleet, (req.params as { id: string }).id);
        const body = req.body as { events: string[]; wait: boolean };
        const p = cpe.inform(checkEvents(body.events));
        if (body.wait) return sessionView(cpe, await p);
        background('inform', cpe, p);
        return reply.code(202).send({ accepted: [cpe.id] });
      },
    );

    for (const [route, op, summary] of [
      ['reboot', (c: Cpe) => c.reboot(), 'Reboot the CPE as the device itself (off for rebootDelay, then a 1 BOOT session)'],
      ['factory-reset', (c: Cpe) => c.factoryReset(), 'Factory-reset the CPE at the device (tree back to the profile, then 0 BOOTSTRAP + 1 BOOT)'],
    ] as const) {
      app.post(`/cpes/:id/${route}`, { schema: { summary, params: idParam, response: { 202: freeObject, ...errors } } }, async (req, reply) => {
        const cpe = lookup(fleet, (req.params as { id: string }).id);
        background(route, cpe, op(cpe));
        return reply.code(202).send({ accepted: [cpe.id] });
      });
      app.post(
        `/fleet/${route}`,
        { schema: { summary: `${summary}, for every selected CPE`, body: { type: 'object', additionalProperties: false, required: ['selector'], properties: { selector: selectorSchema } }, response: { 202: freeObject, ...errors } } },
        async (req, reply) => {
          const cpes = selectCpes(fleet, (req.body as { selector: CpeSelector }).selector);
          for (const c of cpes) background(route, c, op(c));
          return reply.code(202).send({ accepted: cpes.map((c) => c.id) });
        },
      );
    }

    // ---- chaos: power, link, behaviour (the operations the library's Cpe offers) ----
    const powerCycleBody = {
      type: 'object',
      additionalProperties: false,
      properties: { offMs: { type: 'integer', minimum: 0, maximum: 86_400_000, default: 0, description: 'how long the power stays off (simulated ms)' } },
    } as const;
    const linkDownBody = {
      type: 'object',
      additionalProperties: false,
      properties: {
        interface: { type: 'string', minLength: 1, description: "interface object, e.g. 'Device.IP.Interface.1'; default the profile's faults.link.interface" },
        durationMs: { type: 'integer', minimum: 1, maximum: 86_400_000, description: "outage length (simulated ms); default the profile's faults.link.duration" },
      },
    } as const;
    const powerCycle = (cpe: Cpe, offMs: number): void => {
      // powerOff() is false when the CPE is already off: then only the power comes back.
      cpe.powerOff();
      background('power-cycle', cpe, cpe.powerOn({ delayMs: offMs }));
    };
    const linkArgs = (b: { interface?: string; durationMs?: number }): [string, number] => {
      const dflt = fleet.profile.faults.link;
      const iface = b.interface ?? dflt?.interface;
      const ms = b.durationMs ?? dflt?.durationMs;
      if (iface === undefined || ms === undefined) throw new AdminError(400, 'ADMIN_LINK_REQUIRED', `body/${iface === undefined ? 'interface' : 'durationMs'} is required: the profile has no faults.link to take it from`);
      return [iface.replace(/\.$/, ''), ms];
    };
    const checkLink = (cpes: readonly Cpe[], iface: string): void => {
      // Checked for every CPE first, so an interface one of them lacks changes nothing.
      for (const c of cpes) if (!c.params.has(`${iface}.Status`)) throw new AdminError(400, 'ADMIN_BAD_INTERFACE', `body/interface: ${c.id} has no leaf ${iface}.Status`);
    };
    const behaviourOf = (b: { behaviour: Record<string, unknown> | null }, cpes: readonly Cpe[]): Behaviour | null => {
      if (b.behaviour === null) return null;
      // The CPE's own check (ConfigError → 400 naming the option), before any CPE changes.
      return checkBehaviour(b.behaviour, `body/behaviour (${cpes.length} CPE${cpes.length === 1 ? '' : 's'})`);
    };
    const injectBody = (extra: Record<string, unknown>) =>
      ({
        type: 'object',
        additionalProperties: false,
        required: ['behaviour', ...Object.keys(extra)],
        properties: { behaviour: { type: 'object', nullable: true, additionalProperties: true, description: 'a Behaviour (delay, neverAnswer, fault, closeBefore, closeAfter, malformedXml, wrongId, dropCookies, reconnectAfter401, ignoreHoldRequests, earlyEmptyPost, retryCount, http10); null clears' }, ...extra },
      }) as const;

    app.post('/cpes/:id/power-cycle', { schema: { summary: 'Cut the power, then restore it after offMs: a 1 BOOT session', params: idParam, body: powerCycleBody, response: { 202: freeObject, ...errors } } }, async (req, reply) => {
      const cpe = lookup(fleet, (req.params as { id: string }).id);
      powerCycle(cpe, (req.body as { offMs?: number } | undefined)?.offMs ?? 0);
      return reply.code(202).send({ accepted: [cpe.id] });
    });
    app.post('/fleet/power-cycle', { schema: { summary: 'Power-cycle every selected CPE', body: { ...powerCycleBody, required: ['selector'], properties: { ...powerCycleBody.properties, selector: selectorSchema } }, response: { 202: freeObject, ...errors } } }, async (req, reply) => {
      const body = req.body as { selector: CpeSelector; offMs: number };
      const cpes = selectCpes(fleet, body.selector);
      for (const c of cpes) powerCycle(c, body.offMs);
      return reply.code(202).send({ accepted: cpes.map((c) => c.id) });
    });
    app.post('/cpes/:id/link-down', { schema: { summary: "Cut the CPE's uplink for durationMs (Status Down, CWMP offline, no session on return)", params: idParam, body: linkDownBody, response: { 202: freeObject, ...errors } } }, async (req, reply) => {
      const cpe = lookup(fleet, (req.params as { id: string }).id);
      const [iface, ms] = linkArgs((req.body ?? {}) as { interface?: string; durationMs?: number });
      checkLink([cpe], iface);
      const cut = cpe.linkDown(iface, ms);
      return reply.code(202).send({ accepted: cut ? [cpe.id] : [], ...(cut ? {} : { alreadyDown: [cpe.id] }) });
    });
    app.post('/fleet/link-down', { schema: { summary: 'Cut the uplink of every selected CPE', body: { ...linkDownBody, required: ['selector'], properties: { ...linkDownBody.properties, selector: selectorSchema } }, response: { 202: freeObject, ...errors } } }, async (req, reply) => {
      const body = req.body as { selector: CpeSelector; interface?: string; durationMs?: number };
      const cpes = selectCpes(fleet, body.selector);
      const [iface, ms] = linkArgs(body);
      checkLink(cpes, iface);
      const cut = cpes.filter((c) => c.linkDown(iface, ms));
      return reply.code(202).send({ accepted: cut.map((c) => c.id) });
    });
    app.post('/cpes/:id/inject', { schema: { summary: 'Make the CPE misbehave from its next session on (merged into what was injected; null clears)', params: idParam, body: injectBody({}), response: { 200: freeObject, ...errors } } }, async (req) => {
      const cpe = lookup(fleet, (req.params as { id: string }).id);
      const b = behaviourOf(req.body as { behaviour: Record<string, unknown> | null }, [cpe]);
      cpe.inject(b);
      return { id: cpe.id, injected: cpe.injected ?? null };
    });
    app.post('/fleet/inject', { schema: { summary: 'Inject a behaviour into every selected CPE (null clears)', body: injectBody({ selector: selectorSchema }), response: { 200: freeObject, ...errors } } }, async (req) => {
      const body = req.body as { selector: CpeSelector; behaviour: Record<string, unknown> | null };
      const cpes = selectCpes(fleet, body.selector);
      const b = behaviourOf(body, cpes);
      for (const c of cpes) c.inject(b);
      return { accepted: cpes.map((c) => c.id) };
    });

    app.post(
      '/fleet/inform',
      {
        schema: {
          summary: 'Trigger an Inform carrying the given events on every selected CPE',
          body: { type: 'object', additionalProperties: false, required: ['selector', 'events'], properties: { selector: selectorSchema, events: eventsSchema } },
          response: { 202: freeObject, ...errors },
        },
      },
      async (req, reply) => {
        const body = req.body as { selector: CpeSelector; events: string[] };
        const events = checkEvents(body.events);
        const cpes = selectCpes(fleet, body.selector);
        for (const c of cpes) background('inform', c, c.inform(events));
        return reply.code(202).send({ accepted: cpes.map((c) => c.id) });
      },
    );

    app.get(
      '/cpes/:id/sessions',
      {
        schema: {
          summary: "A CPE's recent sessions, newest last: decoded messages, raw XML when the transcript keeps it (secrets blanked)",
          params: idParam,
          querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } } },
          response: { 200: freeObject, ...errors },
        },
      },
      async (req) => {
        const cpe = lookup(fleet, (req.params as { id: string }).id);
        const { limit } = req.query as { limit: number };
        const all = cpe.sessions;
        return { total: all.length, sessions: all.slice(Math.max(0, all.length - limit)).map((s) => sessionView(cpe, s)) };
      },
    );
  };
}
