/**
 * `withCpeFleet({ usp: true })` / `useCpeFleet({ usp: true })`: a fake USP Controller
 * started before the fleet, the fleet's agents pointed at it, `cpe-N` aliases for their
 * EndpointIDs, and the Controller closed after the fleet. Runner-free, shared by the
 * Vitest and Jest entry points.
 * @module
 */
import { createFakeUspController, type FakeUspController, type FakeUspControllerOptions } from '../controller/index.js';
import { ConfigError, CpeSimError } from '../errors/index.js';
import type { Fleet, FleetOptions } from '../fleet/index.js';

/** The `usp` option of the test fixtures. */
export interface CpeFleetUspOptions {
  /**
   * The MTP the agents use to reach the Controller: `'mqtt'` (default; through the
   * Controller's broker: the embedded aedes, MQTT 3.1.1, unless `controller.mqtt` names
   * another), `'mqtt-websocket'` (MQTT over WebSocket to the embedded aedes:
   * TransportProtocol `WebSocket`) or `'websocket'` (the Controller's WebSocket server).
   */
  mtp?: 'mqtt' | 'mqtt-websocket' | 'websocket';
  /** Options of the fake Controller (`createFakeUspController`). */
  controller?: FakeUspControllerOptions;
}

const USP_KEYS = ['mtp', 'controller'];

/** Checks the fixture's `usp` option (true, false or an object of {@link CpeFleetUspOptions}). */
export function checkUspOption(v: unknown, where: string): void {
  if (v === undefined || typeof v === 'boolean') return;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`${where}: usp must be true or an object such as { mtp: 'websocket' }, got ${JSON.stringify(v)}`);
  const unknown = Object.keys(v).filter((k) => !USP_KEYS.includes(k));
  if (unknown.length > 0) throw new ConfigError(`${where}: unknown usp option(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; valid: ${USP_KEYS.join(', ')}`);
  const mtp = (v as Record<string, unknown>)['mtp'];
  if (mtp !== undefined && mtp !== 'mqtt' && mtp !== 'mqtt-websocket' && mtp !== 'websocket') throw new ConfigError(`${where}: usp.mtp must be 'mqtt', 'mqtt-websocket' or 'websocket', got ${JSON.stringify(mtp)}`);
}

/** The Controller each test fleet talks to. */
const controllers = new WeakMap<Fleet, FakeUspController>();

/** Starts the Controller the fixture's `usp` option asks for (with WebSocket when the agents use it). */
export async function startFixtureController(o: true | CpeFleetUspOptions): Promise<FakeUspController> {
  const opts = o === true ? {} : o;
  const c = opts.controller ?? {};
  return createFakeUspController({
    ...c,
    ...(opts.mtp === 'websocket' && !c.websocket ? { websocket: true } : {}),
    ...(opts.mtp === 'mqtt-websocket' ? { embeddedBroker: { ...c.embeddedBroker, websocket: true } } : {}),
  });
}

/** What the fleet's agents are told: where the Controller is and how to reach it. */
export function agentOptionsFor(ctl: FakeUspController, o: true | CpeFleetUspOptions): NonNullable<FleetOptions['usp']> {
  const mtp = o === true ? 'mqtt' : (o.mtp ?? 'mqtt');
  if (mtp === 'websocket') {
    if (!ctl.websocketUrl) throw new ConfigError('usp: mtp websocket needs the Controller\'s WebSocket server');
    return { controllerId: ctl.endpointId, websocket: ctl.websocketUrl };
  }
  if (mtp === 'mqtt-websocket') {
    if (!ctl.brokerWebSocketUrl) throw new ConfigError('usp: mtp mqtt-websocket needs the Controller\'s embedded broker (controller.mqtt must be \'embedded\')');
    return { controllerId: ctl.endpointId, broker: ctl.brokerWebSocketUrl, mqttVersion: '3.1.1' };
  }
  if (!ctl.brokerUrl) throw new ConfigError('usp: mtp mqtt needs the Controller\'s MQTT (controller.mqtt must not be false)');
  return { controllerId: ctl.endpointId, broker: ctl.brokerUrl, mqttVersion: ctl.mqttVersion === 5 ? '5' : '3.1.1' };
}

/** Remembers the fleet's Controller and registers `cpe-N` → EndpointID aliases. */
export function attachController(fleet: Fleet, ctl: FakeUspController): void {
  controllers.set(fleet, ctl);
  // fleet.uspAgents is in CPE order.
  fleet.cpes.forEach((cpe, i) => {
    const eid = fleet.uspAgents[i]?.endpointId;
    if (eid) ctl.alias(cpe.id, eid);
  });
}

/**
 * The fake USP Controller of a fleet started by `withCpeFleet`/`createCpeFleet`/
 * `useCpeFleet` with `usp` set.
 * @throws CpeSimError `CPESIM_NO_USP_CONTROLLER` for a fleet started without `usp`.
 */
export function uspControllerOf(fleet: Fleet): FakeUspController {
  const c = controllers.get(fleet);
  if (!c) throw new CpeSimError('CPESIM_NO_USP_CONTROLLER', 'the `controller` fixture exists only when the fleet is started with { usp: true }');
  return c;
}

/** The fleet's Controller, if any. */
export function maybeControllerOf(fleet: Fleet): FakeUspController | undefined {
  return controllers.get(fleet);
}

/** Closes a test fleet, then its Controller (the agents say goodbye first). */
export async function closeTestFleet(fleet: Fleet): Promise<void> {
  try {
    await fleet.close();
  } finally {
    await controllers.get(fleet)?.close();
  }
}

/** The USP transcript of the fleet's Controller since `since` (every agent), or '' without USP or records. */
export function uspFailureTranscript(fleet: Fleet, since?: number): string {
  const ctl = controllers.get(fleet);
  if (!ctl) return '';
  const recent = ctl.records.filter((r) => since === undefined || r.time >= since);
  if (recent.length === 0) return '';
  return `cpe-sim: ${ctl.transcript(undefined, { ...(since !== undefined ? { since } : {}), max: 60 })}`;
}
