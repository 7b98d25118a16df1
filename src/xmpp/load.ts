/**
 * `@xmpp/client` is ESM-only. Loading it with import() only when an XMPP path is used
 * keeps `require('cpe-sim')` (the CommonJS build, Jest) free of it.
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
