/**
 * What the benchmarks use, gathered from each layer's public face and built by
 * bench/build.mjs into node_modules/.cache/cpe-sim-bench/entry.mjs. The package
 * entry (src/index.ts) does not re-export all of these yet; building our own entry
 * keeps the benches on the same compiled code paths a user of `dist/` runs.
 * @module
 */
export { startFleet, disableAllocationSitePretenuring } from '../src/fleet/index.js';
export { createFakeAcs, ConnectionRequestClient, generateCertificate } from '../src/acs/index.js';
export { createCrListener } from '../src/cr/index.js';
export { Template, createParameterTree } from '../src/datamodel/index.js';
export { auditRetries } from '../src/cpe/index.js';
export { loadProfile } from '../src/profile/index.js';
export { encodeEnvelope, decodeEnvelope, EVENT } from '../src/cwmp/index.js';
export { digestHa1, digestResponse, formatDigestAuthorization, formatBasicAuthorization, parseAuthHeader, toDigestChallenge, formatNc, newCnonce } from '../src/httpauth/index.js';
export { parseYamlText } from '../src/profile/yaml-stream.js';
export { createFleetMetrics } from '../src/admin/index.js';
