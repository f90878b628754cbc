import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRestApi, fakeProjects } from '@mooring/integrations/testing';
import { adminQuery } from '../support/admin-query.js';
import { launchChromium, newContext, seriousA11yViolations } from '../support/browser.js';
import { signInAsAdmin, startConsoleStack, type ConsoleStack } from '../support/console-stack.js';

// "Try it" in the web console, in Debian's Chromium against the real api, scheduler and worker
// (build output): on an "Any REST API" data source's mapping tab, a button per declared kind reads
// the kind's first page live and shows its raw items; a kind whose items path holds no list shows
// the refusal in words with what to change. Each state passes axe. The worker's first run lists the
// same kind through its jq items expression. Run `npm run build` first.
describe('trying a generic HTTP kind in the web console', () => {
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
    const kinds = [
      {
        name: 'projects',
        path: '/page/projects',
        pagination: { type: 'pageNumber', size: 3 },
        itemsExpression: { language: 'jq', expression: '.[]' },
      },
      { name: 'broken', path: '/offset/projects', itemsPath: 'more' },
    ];
    const entity = { identifier: '$string(id)', title: 'name', blueprint: '"genericItem"', properties: { raw: '$' } };
    const created = await fetch(`${stack.baseUrl}/v1/installations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        integrationId: 'generic-http',
        name: 'REST API (e2e)',
        settings: { baseUrl: tool.origin, token, kinds: JSON.stringify(kinds) },
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

  it('shows the first page of a kind as raw items', async () => {
    await page.goto(`/installations/${installationId}/mapping`);
    const trial = page.getByTestId('try-kinds');
    await trial.waitFor();
    expect(await trial.getByRole('button').allTextContents()).toEqual(['Try projects', 'Try broken']);
    await expectAccessible('mapping tab with try it');

    const before = tool.server.requests.length;
    await trial.getByRole('button', { name: 'Try projects' }).click();
    const result = page.getByTestId('try-result');
    await result.waitFor();
    expect(await result.getByRole('heading').textContent()).toBe('First page of projects: 3 items');
    expect(JSON.parse((await page.getByTestId('try-items').textContent())!)).toEqual(fakeProjects(3));
    // One live request: the first page only.
    expect(tool.server.requests.length - before).toBe(1);
    await expectAccessible('try it result');
  }, 60_000);

  it("lists the kind through its jq expression in the worker's first run", async () => {
    const stored = () =>
      adminQuery<{ identifier: string }>(
        stack.db,
        "SELECT identifier FROM entities WHERE org_id = $1 AND blueprint = 'genericItem' ORDER BY identifier",
        [stack.admin.orgId],
      );
    await expect.poll(async () => (await stored()).length, { timeout: 60_000, interval: 250 }).toBe(7);
    expect((await stored()).map((row) => row.identifier)).toEqual(
      fakeProjects(7)
        .map((project) => String(project.id))
        .sort(),
    );
  }, 90_000);

  it('shows a kind whose items path holds no list as a refusal in words, with what to change', async () => {
    await page.getByTestId('try-kinds').getByRole('button', { name: 'Try broken' }).click();
    const error = page.getByTestId('try-error');
    await error.waitFor();
    expect(await error.getByRole('alert').getAttribute('data-error-code')).toBe('UPSTREAM_MALFORMED');
    const text = await error.textContent();
    expect(text).toContain('not a listing');
    expect(text).toContain('correct its itemsPath or itemsExpression in Settings');
    expect(await page.getByTestId('try-result').count()).toBe(0);
    await expectAccessible('try it refusal');
  }, 60_000);
});
