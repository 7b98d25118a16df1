/**
 * `@xmpp/client` is ESM-only. Loading it with import() only when an XMPP path is used
 * keeps its cost off fleets that do not use XMPP; the CommonJS build (Jest) carries it
 * bundled (tsdown.config.ts), where this import() becomes a require() of that chunk.
 * @module
 */
import { CpeSimError } from '../errors/index.js';

type XmppModule = typeof import('@xmpp/client');
let loading: Promise<XmppModule> | undefined;

export function loadXmpp(): Promise<XmppModule> {
  loading ??= import('@xmpp/client').catch((err: unknown) => {
    loading = undefined;
    throw new CpeSimError('CPESIM_XMPP_UNAVAILABLE', `cannot load @xmpp/client (needed for XMPP Connection Requests): ${(err as Error).message}`, { cause: err });
  });
  return loading;
}
