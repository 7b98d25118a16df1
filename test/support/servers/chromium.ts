/**
 * `await using browser = await startChromium()`: Debian's `chromium`, headless, driven
 * over the DevTools Protocol by playwright-core (a dev dependency that downloads no
 * browser: it launches the system binary). Playwright gives it a throwaway profile
 * folder and removes it on close. As root (CI), Chromium's sandbox cannot start, so
 * `--no-sandbox` is passed there; `--force-color-profile=srgb` keeps a screenshot's
 * pixels the colours the CSS names (the screenshot test counts them).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { findBinary, missing } from './common.js';

const BINARY = findBinary(['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium']);
/** Why browser tests skip, or undefined when Chromium is installed. */
export const chromiumMissing: string | undefined = BINARY ? undefined : missing('Chromium', 'chromium');

export interface StartedChromium extends AsyncDisposable {
  readonly browser: Browser;
  /** A new page (1200 × 900 CSS px, device scale 1) whose console errors and page errors are kept. */
  newPage(): Promise<Page & { errors: string[] }>;
  stop(): Promise<void>;
}

export async function startChromium(): Promise<StartedChromium> {
  if (!BINARY) throw new Error(chromiumMissing);
  const args = ['--force-color-profile=srgb', '--hide-scrollbars', '--disable-gpu', '--font-render-hinting=none'];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const browser = await chromium.launch({ executablePath: BINARY, headless: true, args, timeout: 30_000 });
  let stopped: Promise<void> | undefined;
  const started: StartedChromium = {
    browser,
    async newPage() {
      const page = (await browser.newPage({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 })) as Page & { errors: string[] };
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') page.errors.push(`console: ${m.text()}`);
      });
      return page;
    },
    stop() {
      stopped ??= browser.close();
      return stopped;
    },
    [Symbol.asyncDispose]() {
      return started.stop();
    },
  };
  return started;
}
