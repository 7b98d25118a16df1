// The live dashboard in a real headless Chromium (Debian's `chromium`, driven over the
// DevTools Protocol by playwright-core), against a fleet with a known history
// (test/support/known-fleet.ts) and an admin server with a token: the page asks for it,
// then shows the summary, the CPE table and its search, each CPE's timeline, the decoded
// messages, and stays inert when values carry markup. One browser for the whole file.
//
// The screenshot test checks the rendered SVG's structure and counts the bar colours'
// pixels in a real screenshot, rather than comparing against a reference image: session
// times (and so bar lengths and tick positions) differ on every run, and text rendering
// differs between Chromium builds and font sets; the colour counts do not. The
// screenshot is kept in test-results/ to look at.
// CPE_SIM_UPDATE_DOCS_SCREENSHOT=1 also writes docs/img/dashboard.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/index.js';
import type { Fleet } from '../../src/fleet/index.js';
import { startKnownFleet, XSS } from '../support/known-fleet.js';
import { chromiumMissing, startChromium, type StartedChromium } from '../support/servers/chromium.js';

// The browser globals used inside page.waitForFunction/evaluate callbacks (they run in
// the page; the tests' tsconfig has no DOM lib).
interface PageNode extends Iterable<PageNode> {
  readonly length: number;
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageNode | null;
  querySelectorAll(selector: string): PageNode;
}
declare const document: PageNode;
declare const window: { __xss?: number };

const TOKEN = 'dash-token-4F';
const root = fileURLToPath(new URL('../..', import.meta.url));

describe.skipIf(chromiumMissing !== undefined)(`the admin dashboard in headless Chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  let fleet: Fleet;
  let admin: AdminServer;
  let chromium: StartedChromium;
  let page: Awaited<ReturnType<StartedChromium['newPage']>>;

  beforeAll(async () => {
    [fleet, chromium] = await Promise.all([startKnownFleet(), startChromium()]);
    admin = await startAdminServer(fleet, { token: TOKEN });
    page = await chromium.newPage();
  }, 60_000);

  afterAll(async () => {
    await chromium?.stop();
    await admin?.close();
    await fleet?.close();
  });

  const text = (selector: string): Promise<string> => page.locator(selector).innerText();
  const stat = (name: string): Promise<string> => text(`[data-stat="${name}"] .n`);
  const openCpe = async (id: string): Promise<void> => {
    await page.locator(`#cpe-table tr[data-cpe="${id}"]`).click();
    await page.waitForFunction((want) => document.querySelector('#cpe-title')?.textContent?.startsWith(`${want} `) && document.querySelector('#timeline svg') !== null, id);
  };
  const tableIds = (): Promise<string[]> => page.$$eval('#cpe-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-cpe') ?? ''));

  it('asks for the bearer token, then shows the fleet summary', async () => {
    await page.goto(`${admin.url}/`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await text('#status')).toBe('token needed');
    await page.fill('#token', TOKEN);
    await page.click('#login button');
    await page.waitForFunction(() => document.querySelector('[data-stat="cpes"] .n')?.textContent === '6');
    expect(await page.locator('#login').isHidden()).toBe(true);
    // The 401 before the token was given is the only console error allowed.
    expect(page.errors).toEqual(['console: Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
    page.errors.length = 0;
    // 6 bootstraps + cpe-1's two periodic + cpe-2's + cpe-3's retry + cpe-4's; cpe-3's 503.
    expect(await stat('sessions-ok')).toBe('11');
    expect(await stat('sessions-failed')).toBe('1');
    expect(await stat('idle')).toBe('6');
    expect(await text('#fleet-name')).toContain('tr181-digest.yaml · 6 CPEs · seed 7');
  });

  it('lists the CPEs and searches them by id or serial number', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#cpe-table tbody tr').length === 6);
    expect(await tableIds()).toEqual(['cpe-1', 'cpe-2', 'cpe-3', 'cpe-4', 'cpe-5', 'cpe-6']);
    expect(await page.$$eval('#cpe-table tbody tr:first-child td', (tds) => tds.map((td) => td.textContent))).toEqual(['cpe-1', 'DIG-001', 'idle', '']);
    await page.fill('#search', 'DIG-003');
    await page.waitForFunction(() => document.querySelectorAll('#cpe-table tbody tr').length === 1);
    expect(await tableIds()).toEqual(['cpe-3']);
    await page.fill('#search', 'no-such-cpe');
    await page.waitForFunction(() => document.querySelectorAll('#cpe-table tbody tr').length === 0);
    expect(await text('#cpe-count')).toBe('0 CPEs');
    await page.fill('#search', '');
    await page.waitForFunction(() => document.querySelectorAll('#cpe-table tbody tr').length === 6);
  });

  it("draws a CPE's sessions as bars coloured by outcome, and a bar opens its decoded messages", async () => {
    await openCpe('cpe-3');
    const sessions = await page.$$eval('#timeline g.session', (gs) => gs.map((g) => ({ id: g.getAttribute('data-session'), bar: g.querySelector('rect.bar')?.getAttribute('class'), ticks: g.querySelectorAll('line.tick').length })));
    // The boot, the Inform the ACS answered 503 (two messages), the retry (RetryCount 1).
    expect(sessions).toEqual([
      { id: '1', bar: 'bar ok', ticks: 4 },
      { id: '2', bar: 'bar failed', ticks: 2 },
      { id: '3', bar: 'bar retry', ticks: 4 },
    ]);
    await page.locator('#timeline g.session[data-session="2"]').click();
    const box = page.locator('#messages section.cpesim-messages');
    await box.waitFor();
    expect(await box.getAttribute('data-session')).toBe('2');
    expect(await box.locator('h3').innerText()).toMatch(/^Session #2 · 2 PERIODIC · failed/);
    expect(await box.locator('.error').innerText()).toBe('HTTP 503 from the ACS');
    expect(await box.locator('li.entry .summary').allInnerTexts()).toEqual(['Inform [2 PERIODIC] SN=DIG-003 retry=0', 'HTTP 503']);
    expect(await box.locator('li.entry.fault').count()).toBe(1);
  });

  it('marks a CWMP Fault with a fault tick and shows the decoded Fault', async () => {
    await openCpe('cpe-2');
    expect(await page.locator('#timeline line.tick.fault').count()).toBe(1);
    expect(await page.locator('#timeline g.session[data-session="2"] line.tick.fault').count()).toBe(1);
    await page.locator('#timeline g.session[data-session="2"]').click();
    const fault = page.locator('#messages li.entry.fault');
    expect(await fault.locator('.summary').innerText()).toBe('Fault 9002 Internal error');
    await fault.locator('summary').click();
    const decoded = JSON.parse(await fault.locator('pre.decoded').innerText()) as { name: string; detail: { faultCode: number } };
    expect(decoded).toMatchObject({ name: 'Fault', detail: { faultCode: 9002 } });
  });

  it('shows markup from parameter values and ACS XML as text, never running it', async () => {
    await openCpe('cpe-4');
    await page.locator('#timeline g.session[data-session="2"]').click();
    for (const s of await page.locator('#messages li.entry summary').all()) await s.click();
    const decoded = await page.locator('#messages pre.decoded').allInnerTexts();
    expect(decoded.join('\n')).toContain(JSON.stringify(XSS).slice(1, -1));
    const xml = await page.locator('#messages pre.xml').allInnerTexts();
    expect(xml.join('\n')).toContain('&lt;img src=x onerror=');
    expect(await page.locator('#messages li.entry .summary').allInnerTexts()).toContain(`SetParameterValues Device.DeviceInfo.ProvisioningCode=<img src=x onerror="window.__xss=1"></sc… key=<b>key</b>`);
    // Markup in the search box and in the URL's CPE id is text as well.
    await page.fill('#search', XSS);
    await page.waitForFunction(() => document.querySelectorAll('#cpe-table tbody tr').length === 0);
    const id = '<img src=x onerror="window.__xss=4">';
    await page.goto(`${admin.url}/#cpe=${encodeURIComponent(id)}`);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('error:'));
    expect(await text('#status')).toContain('unknown CPE "<img src=x onerror=');
    page.errors.length = 0; // the 404 of that lookup
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
    expect(await page.locator('#messages img, #messages script, #timeline img, #status img').count()).toBe(0);
    expect(page.errors).toEqual([]);
  });

  it('follows the fleet live: new sessions move the counters and the sessions/s chart', async () => {
    await page.goto(`${admin.url}/`);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-stat="sessions-ok"] .n')?.textContent === '11');
    page.errors.length = 0;
    const res = await request(`${admin.url}/fleet/inform`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ selector: { share: 1 }, events: ['2 PERIODIC'] }) });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    await page.waitForFunction(() => document.querySelector('[data-stat="sessions-ok"] .n')?.textContent === '17', undefined, { timeout: 15_000 });
    await page.waitForFunction(() => [...document.querySelectorAll('#rate-chart rect.ok')].some((r) => Number(r.getAttribute('data-rate')) > 0), undefined, { timeout: 15_000 });
    expect(page.errors).toEqual([]);
  });

  it("screenshot: cpe-3's timeline renders its bars in the outcome colours", async () => {
    // A same-document navigation (hashchange): the sessions/s chart keeps the burst above.
    await page.goto(`${admin.url}/#cpe=cpe-3`);
    await page.waitForFunction(() => document.querySelectorAll('#timeline g.session').length >= 4);
    // The known history (3 sessions) plus the periodic Inform of the previous test.
    expect(await page.$$eval('#timeline rect.bar', (rs) => rs.map((r) => r.getAttribute('class')))).toEqual(['bar ok', 'bar failed', 'bar retry', 'bar ok']);
    await page.locator('#timeline g.session[data-session="2"]').click();
    const png = await page.locator('#timeline svg').screenshot();
    mkdirSync(`${root}test-results`, { recursive: true });
    writeFileSync(`${root}test-results/dashboard-timeline-cpe-3.png`, png);
    const img = PNG.sync.read(png);
    const count = (hex: string): number => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < img.data.length; i += 4) if (img.data[i] === r && img.data[i + 1] === g && img.data[i + 2] === b) n++;
      return n;
    };
    // Each bar is at least 14 × 12 px of its flat colour (ticks cross it, edges blend).
    const ok = count('#2f9e44');
    const failed = count('#e03131');
    const retry = count('#f08c00');
    expect(ok).toBeGreaterThan(2 * 100);
    expect(failed).toBeGreaterThan(100);
    expect(retry).toBeGreaterThan(100);
    expect(count('#1c7ed6')).toBe(0); // nothing running
    if (process.env['CPE_SIM_UPDATE_DOCS_SCREENSHOT'] === '1') {
      await page.setViewportSize({ width: 1100, height: 900 });
      writeFileSync(`${root}docs/img/dashboard.png`, await page.screenshot({ fullPage: true }));
    }
  });
});
