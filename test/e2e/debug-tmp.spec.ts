import { it } from 'vitest';
import { launchChromium, newContext } from '../support/browser.js';
import { startConsoleStack } from '../support/console-stack.js';
it('debug', async () => {
  const stack = await startConsoleStack();
  const browser = await launchChromium();
  const ctx = await newContext(browser, stack.baseUrl);
  const page = await ctx.newPage();
  page.on('console', (m) => console.log('console:', m.type(), m.text()));
  page.on('response', (r) => console.log('resp', r.status(), r.url()));
  await page.goto('/data-sources');
  await page.waitForTimeout(3000);
  console.log('URL', page.url(), await page.locator('body').innerText());
  await page.screenshot({ path: '/tmp/dbg.png' });
  await browser.close();
  await stack.stop();
}, 120000);
