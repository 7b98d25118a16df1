// A fake ACS in its own process (fleet-boot with acs=child): the fleet's process then
// holds only CPEs, listener and scheduler. Replies { url } once listening and
// { memory } when asked; exits when the parent says 'close' or disconnects.
// argv: <bench entry> <pretenuring: off | v8-default>
import { pathToFileURL } from 'node:url';
import { settledMemory } from './harness.mjs';

const lib = await import(pathToFileURL(process.argv[2]).href);
if (process.argv[3] === 'off') lib.disableAllocationSitePretenuring();
let bootstraps = 0;
const acs = await lib.createFakeAcs({
  host: '127.0.0.1',
  port: 0,
  onMessage: (l) => {
    if (l.dir === 'cpe->acs' && l.summary.startsWith('Inform [0 BOOTSTRAP')) bootstraps++;
  },
});
process.on('message', async (m) => {
  if (m === 'memory') process.send({ memory: await settledMemory(), bootstraps });
  if (m === 'close') {
    await acs.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ url: acs.url });
