import { createHmac, randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRestApi } from '@mooring/integrations/testing';
import { launchChromium, newContext, seriousA11yViolations } from '../support/browser.js';
import { signInAsAdmin, startConsoleStack, type ConsoleStack } from '../support/console-stack.js';

// A new webhook secret in the web console, in Debian's Chromium against the real api (build
// output): an "Any REST API" data source has no registration, so its Live events tab copies the
// hook URL and creates a new secret after a confirmation, shows it once (a delivery signed with it
// is accepted), and a reload no longer shows it. Each state passes axe. Run `npm run build` first.
describe('creating a webhook secret in the web console', () => {
  const token = 'rest-api-token-for-the-console';
  let stack: ConsoleStack;
  let tool: FakeRestApi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let installationId: string;

  async function expectAccessible(name: string): Promise<void> {
    expect(await seriousA11yViolations(page), `accessibility of ${name}`).toEqual([]);
  }

  beforeAll(async () => {
    tool = await FakeRestApi.start({ type: 'bearer', token });
    stack = await startConsoleStack();
    const kinds = [{ name: 'projects', path: '/page/projects', pagination: { type: 'pageNumber', size: 3 } }];
    const liveEvents = {
      signatureHeader: 'X-Signature',
      algorithm: 'sha256',
      prefix: 'sha256=',
      requestIdHeader: 'X-Delivery',
      kind: 'projects',
      itemPath: 'project',
      idPath: 'project.id',
    };
    const entity = { identifier: '$string(id)', title: 'name', blueprint: '"genericItem"', properties: { raw: '$' } };
    const created = await fetch(`${stack.baseUrl}/v1/installations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        integrationId: 'generic-http',
        name: 'REST API (e2e)',
        settings: { baseUrl: tool.origin, token, kinds: JSON.stringify(kinds), liveEvents: JSON.stringify(liveEvents) },
        mapping: { resources: [{ kind: 'projects', selector: { query: 'true' }, port: { entity: { mappings: entity } } }] },
      }),
    });
    const body = (await created.json()) as { installation: { id: string } };
    expect(created.status, JSON.stringify(body)).toBe(201);
    installationId = body.installation.id;

    browser = await launchChromium();
    context = await newContext(browser, stack.baseUrl);
    page = await context.newPage();
    await signInAsAdmin(page, stack);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await tool?.close();
  });

  it('shows the new secret once after a confirmation, and a delivery signed with it is accepted', async () => {
    await page.goto(`/installations/${installationId}/live-events`);
    const hookUrl = page.getByTestId('live-events-hook-url');
    await hookUrl.waitFor();
    expect(await hookUrl.getByRole('button', { name: 'Copy' }).count()).toBe(1);
    const url = (await hookUrl.textContent())!.replace(/Copy$/, '').trim();
    expect(url).toMatch(/\/v1\/hooks\/h_/);
    await expectAccessible('live events tab without registration');

    await page.getByRole('button', { name: 'Create a new secret' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('keeps working until the overlap ends');
    await expectAccessible('new secret confirmation');
    await dialog.getByRole('button', { name: 'Create a new secret' }).click();

    const shown = page.getByTestId('live-events-secret');
    await shown.waitFor();
    expect(await shown.textContent()).toContain('Copy it now: you will not see it again.');
    const secret = (await shown.locator('.secret-box').textContent())!.trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await expectAccessible('new secret shown');

    const delivery = JSON.stringify({ action: 'updated', project: { id: 1, name: 'renamed' } });
    const sign = (key: string) => `sha256=${createHmac('sha256', key).update(delivery).digest('hex')}`;
    const send = (key: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-delivery': randomUUID(), 'x-signature': sign(key) },
        body: delivery,
      });
    expect((await send(secret)).status).toBe(202);
    expect((await send('not-the-secret')).status).toBe(401);

    await page.reload();
    await page.getByTestId('live-events-hook-url').waitFor();
    expect(await page.getByTestId('live-events-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  }, 90_000);
});
