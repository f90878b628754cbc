import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureChromium } from '../../tools/lib/chromium.mjs';

// Debian's Chromium, driven by playwright-core (never a test tool's own browser download).
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  const executablePath = ensureChromium((line) => process.stderr.write(`[browser] ${line}\n`));
  return chromium.launch({ executablePath, headless: true, args: FLAGS });
}

/** A fresh browser profile (cookies, storage) at a fixed desktop size, failing fast on a hung page. */
export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1360, height: 900 }, locale: 'en-US' });
  context.setDefaultTimeout(20_000);
  return context;
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/** axe-core on the page as it is now: the serious and critical violations (WCAG 2.x A and AA, best practice). */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // Runs in the page: its globals, not Node's.
    const page = globalThis as any;
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return (result.violations as any[])
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.slice(0, 5).map((node: any) => String(node.target)),
      }));
  });
}
