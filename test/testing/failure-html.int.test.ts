// transcriptOnFailure: 'html' in Vitest: runs the deliberately failing suite
// (failing/timeline.failing-html.ts) in a child Vitest and checks what a user gets: the
// failure message names a self-contained HTML file per failed test (none for the
// passing one), whose data is the CPEs' sessions during that test; then opens the file
// in headless Chromium, where the same timeline as the dashboard's is drawn (its
// Content-Security-Policy lets only its own two scripts run), and a bar opens the messages.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChildVitest } from '../support/child-vitest.js';
import { chromiumMissing, startChromium } from '../support/servers/chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-html-transcripts-'));
let output = '';

beforeAll(async () => {
  output = await runChildVitest('test/testing/failing/html.config.ts', { CPE_SIM_TRANSCRIPT_DIR: dir });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The HTML file named in the FAIL block of `name`. */
function fileOf(name: string): string {
  const start = output.indexOf(`FAIL  timeline.failing-html.ts > ${name}`);
  expect(start, `no FAIL block for ${name} in:\n${output}`).toBeGreaterThanOrEqual(0);
  const block = output.slice(start, output.indexOf('⎯⎯⎯', start));
  const file = /cpe-sim: session timeline of the CPEs involved: (\S+\.html)/.exec(block)?.[1];
  expect(file, `no timeline path in:\n${block}`).toBeDefined();
  return file!;
}

/** The data embedded in a timeline file. */
function dataOf(html: string): { title: string; notes?: string[]; cpes: { id: string; sessions: { events: { eventCode: string }[]; entries: { summary: string; message?: { name: string } }[] }[]; crs?: string[] }[] } {
  const json = /<script type="application\/json" id="cpe-sim-data">([^<]*)<\/script>/.exec(html)?.[1];
  expect(json).toBeDefined();
  return JSON.parse(json!) as ReturnType<typeof dataOf>;
}

describe("transcriptOnFailure: 'html' (Vitest)", () => {
  it('puts the path of one HTML file per failed test into its failure message, and writes none for a passing test', () => {
    expect(output).toMatch(/2 failed \| 1 passed/);
    const h1 = fileOf('html > H1 a CR, a Fault, then an Inform that never comes');
    const h3 = fileOf('H3 createCpeFleet writes one too');
    expect(h1.startsWith(dir)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([h1, h3].map((f) => f.slice(dir.length + 1)).sort());
    // The text transcript is not printed as well.
    expect(output).not.toContain('cpe-sim: CWMP transcript of');
  });

  it("holds the failed test's name, error and the sessions of the CPEs it involved, markup escaped", () => {
    const html = readFileSync(fileOf('html > H1 a CR, a Fault, then an Inform that never comes'), 'utf8');
    const data = dataOf(html);
    expect(data.title).toBe('html > H1 a CR, a Fault, then an Inform that never comes');
    expect(data.notes?.[0]).toContain('Expected: an Inform carrying "2 PERIODIC" from cpe-2 within 100 ms');
    // A fleet per test: its bootstraps belong to the test; cpe-2, active last, comes first.
    expect(data.cpes.map((c) => c.id)).toEqual(['cpe-2', 'cpe-1']);
    const [cpe2] = data.cpes;
    // Digest: the challenge, then the accepted request.
    expect(cpe2!.crs).toEqual([expect.stringMatching(/→ 401 unauthorized/), expect.stringMatching(/→ 200 accepted/)]);
    expect(cpe2!.sessions.map((s) => s.events.map((e) => e.eventCode))).toEqual([['0 BOOTSTRAP', '1 BOOT'], ['6 CONNECTION REQUEST']]);
    expect(cpe2!.sessions[1]!.entries.map((e) => e.summary)).toContain('Fault 9005 Invalid parameter name');
    // Self-contained: no external reference; the parameter name's markup is only in escaped JSON.
    expect(html).not.toMatch(/\b(?:src|href)=/);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+'; style-src 'sha256-[^']+'/);
    expect(html).not.toContain('<b>Nope</b>');
    expect(html).toContain('\\u003cb\\u003eNope\\u003c/b\\u003e');
  });

  describe.skipIf(chromiumMissing !== undefined)(`opened in headless Chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
    it('draws the timeline and a bar opens the decoded messages', async () => {
      await using chromium = await startChromium();
      const page = await chromium.newPage();
      await page.goto(pathToFileURL(fileOf('html > H1 a CR, a Fault, then an Inform that never comes')).href);
      const section = page.locator('section.cpe[data-cpe="cpe-2"]');
      await section.locator('svg.cpesim-timeline').waitFor();
      expect(await page.title()).toBe('cpe-sim: html > H1 a CR, a Fault, then an Inform that never comes');
      expect(await section.locator('g.session').count()).toBe(2);
      expect(await section.locator('rect.bar').evaluateAll((rs) => rs.map((r) => r.getAttribute('class')))).toEqual(['bar ok', 'bar ok']);
      expect(await section.locator('g.session[data-session="2"] line.tick.fault').count()).toBe(1);
      expect(await page.locator('section.cpe').evaluateAll((ss) => ss.map((s) => s.getAttribute('data-cpe')))).toEqual(['cpe-2', 'cpe-1']);
      await section.locator('g.session[data-session="2"]').click();
      const fault = section.locator('li.entry.fault');
      expect(await fault.locator('.summary').innerText()).toBe('Fault 9005 Invalid parameter name');
      await fault.locator('summary').click();
      expect(await fault.locator('pre.xml').innerText()).toContain('<FaultCode>9005</FaultCode>');
      expect(await page.locator('.note').first().innerText()).toContain('toHaveInformed');
      // A CSP violation (a wrong script hash) or a script error would be here.
      expect(page.errors).toEqual([]);
    });
  });
});
