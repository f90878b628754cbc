import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext, seriousA11yViolations } from '../support/browser.js';
import { FakeGithub, type LoopbackServer } from '@mooring/integrations/testing';
import { startGithubEnterpriseFront } from '../support/fakes/github-enterprise-front.js';
import { OAuthProvider } from '../support/fakes/oauth-provider.js';
import { startConsoleStack, TOOL_TOKEN, type ConsoleStack } from '../support/console-stack.js';
import { repoRoot } from '../support/processes.js';

// The web console in Debian's Chromium against the real api, scheduler and worker (build output),
// PostgreSQL and Redis: what a person does, end to end. Every page visited passes axe-core with no
// serious or critical violation. Run `npm run build` first (npm test does).

const COUNTS = { team: 3, service: 10, deployment: 30 } as const;
/** How long a poll waits for the page to show something: a loaded machine renders slowly. */
const SHOWN = { timeout: 30_000 } as const;

describe('the web console in a real browser', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let installationId: string;

  /** axe-core on the page as shown now; `name` says which page, for the failure message. */
  async function expectAccessible(target: Page, name: string): Promise<void> {
    const violations = await seriousA11yViolations(target);
    expect(violations, `accessibility of ${name}`).toEqual([]);
  }

  async function api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${stack.baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${stack.bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  }

  async function signIn(target: Page, email: string, password: string): Promise<void> {
    await target.getByLabel('Email').fill(email);
    await target.getByLabel('Password').fill(password);
    await target.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The resource rows of the sync-status tab as numbers, in the order shown. */
  async function resourceCounts(target: Page) {
    return target.locator('[data-testid="resource-row"]').evaluateAll((rows) =>
      rows.map((row) => {
        const count = (name: string) => Number(row.querySelector(`[data-count="${name}"]`)?.textContent?.replace(/,/g, ''));
        return {
          kind: row.getAttribute('data-kind'),
          index: Number(row.getAttribute('data-kind-index')),
          fetched: count('fetched'),
          transformed: count('transformed'),
          ingested: count('ingested'),
          notChanged: count('notChanged'),
          failed: count('failed'),
        };
      }),
    );
  }

  /** Replaces the mapping editor's whole text (JSON is YAML too), as a paste would. */
  async function replaceMapping(target: Page, mapping: unknown): Promise<void> {
    const editor = target.getByTestId('mapping-editor');
    await editor.click();
    await target.keyboard.press('ControlOrMeta+a');
    await target.keyboard.insertText(JSON.stringify(mapping, null, 2));
  }

  beforeAll(async () => {
    stack = await startConsoleStack();
    browser = await launchChromium();
    admin = await newContext(browser, stack.baseUrl);
    page = await admin.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in: a wrong password is refused in words, the right one opens the console', async () => {
    await page.goto('/data-sources');
    await expect.poll(() => new URL(page.url()).pathname, SHOWN).toBe('/sign-in');
    await expectAccessible(page, 'sign-in');

    await signIn(page, stack.admin.email, 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent(), SHOWN).toContain('Wrong email or password');
    expect(await page.content()).not.toContain('"error"');

    await signIn(page, stack.admin.email, stack.admin.password);
    await page.getByRole('heading', { name: 'Data sources', exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/data-sources');
    await page.getByText('No data sources yet').waitFor();
    await expectAccessible(page, 'data sources (empty)');
  }, 60_000);

  it('connects the fake tool with custom settings: a bad token shows the field error, a good one saves', async () => {
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByTestId('integration-fake').waitFor();
    await expectAccessible(page, 'integrations');

    await page.getByRole('link', { name: 'Connect Fake tool' }).click();
    const form = page.getByTestId('custom-settings-form');
    await form.waitFor();
    await expectAccessible(page, 'connect');
    const token = page.getByLabel('API token', { exact: false }).first();
    expect(await token.getAttribute('type')).toBe('password');

    await page.getByLabel('Name').fill('Fake tool (e2e)');
    await page.getByLabel('Base URL').fill(stack.tool.baseUrl);
    await token.fill('a-token-the-tool-refuses');
    await page.getByRole('button', { name: 'Verify and connect' }).click();
    const tokenError = page.locator('#settings-token-error');
    await tokenError.waitFor();
    expect(await tokenError.textContent()).toMatch(/API token was refused by the tool/);
    expect(await page.locator('#settings-baseUrl-error').count()).toBe(0);
    expect((await api('GET', '/v1/installations')).body.installations).toEqual([]);
    await expectAccessible(page, 'connect (field error)');

    await token.fill(TOOL_TOKEN);
    await page.getByRole('button', { name: 'Verify and connect' }).click();
    await page.waitForURL(/\/installations\/[0-9a-f-]{36}\/sync-status$/);
    installationId = /installations\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    expect(await page.content()).not.toContain(TOOL_TOKEN);
  }, 60_000);

  it('shows the first run finishing with exact counts per kind, in mapping order', async () => {
    await page.locator('[data-testid="run-summary"][data-run-status="completed"]').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => resourceCounts(page), SHOWN)
      .toEqual([
        { kind: 'team', index: 0, fetched: 3, transformed: 3, ingested: 3, notChanged: 0, failed: 0 },
        { kind: 'service', index: 1, fetched: 10, transformed: 10, ingested: 10, notChanged: 0, failed: 0 },
        { kind: 'deployment', index: 2, fetched: 30, transformed: 30, ingested: 30, notChanged: 0, failed: 0 },
      ]);
    await expect.poll(() => page.getByTestId('reconciliation').textContent(), SHOWN).toContain('Deleted');
    await expectAccessible(page, 'sync status');
    await page.screenshot({ path: screenshotPath('sync-status.png'), fullPage: true });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data sources' }).click();
    const row = page.getByTestId('installation-row');
    await row.waitFor();
    await expect.poll(() => row.textContent(), SHOWN).toContain(`${COUNTS.team + COUNTS.service + COUNTS.deployment}`);
    await expect.poll(() => row.textContent(), SHOWN).toContain('Completed');
    await expect.poll(() => row.textContent(), SHOWN).toContain('fakeService: 10');
    await expectAccessible(page, 'data sources');
    await page.screenshot({ path: screenshotPath('data-sources.png'), fullPage: true });
  }, 90_000);

  it('shows a broken mapping at its path, tests it on the samples, and resyncs once it is fixed and saved', async () => {
    const { body } = await api('GET', `/v1/installations/${installationId}`);
    const mapping = structuredClone(body.installation.mapping);
    const broken = structuredClone(mapping);
    broken.resources[1].port.entity.mappings.title = 'name &&& "x"';

    await page.goto(`/installations/${installationId}/mapping`);
    await page.getByTestId('mapping-editor').waitFor();
    await expectAccessible(page, 'mapping');

    await replaceMapping(page, broken);
    await page.getByRole('button', { name: 'Test on samples' }).click();
    const issues = page.getByTestId('mapping-issues');
    await issues.waitFor();
    expect(await page.getByTestId('issue-path').allTextContents()).toContain('resources[1].port.entity.mappings.title');
    // Marked in the editor at the expression itself.
    await expect.poll(() => page.locator('.cm-lintRange-error').first().textContent(), SHOWN).toContain('name &&&');
    await expectAccessible(page, 'mapping (error at its path)');

    const fixed = structuredClone(mapping);
    fixed.resources[1].port.entity.mappings.title = 'name & " (renamed)"';
    await replaceMapping(page, fixed);
    await page.getByRole('button', { name: 'Test on samples' }).click();
    const results = page.getByTestId('mapping-test-results');
    await results.waitFor();
    expect(await issues.count()).toBe(0);
    const outcomes = await page
      .getByTestId('test-row')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-outcome')));
    expect(outcomes.length).toBeGreaterThanOrEqual(3 + 5 + 5);
    expect(new Set(outcomes)).toEqual(new Set(['entity']));
    expect(await results.textContent()).toContain('Service 0 (renamed)');

    await page.getByRole('button', { name: 'Save and resync' }).click();
    await page.getByTestId('mapping-saved').waitFor();
    await page.getByRole('link', { name: 'Watch it on the sync status' }).click();
    await expect
      .poll(async () => (await page.getByTestId('run-summary').textContent()) ?? '', { timeout: 60_000 })
      .toContain('Mapping changed');
    await page.locator('[data-testid="run-summary"][data-run-status="completed"]').waitFor({ timeout: 60_000 });
    // Only the services' titles changed: they are written again, the rest is unchanged.
    await expect
      .poll(() => resourceCounts(page), SHOWN)
      .toEqual([
        { kind: 'team', index: 0, fetched: 3, transformed: 3, ingested: 0, notChanged: 3, failed: 0 },
        { kind: 'service', index: 1, fetched: 10, transformed: 10, ingested: 10, notChanged: 0, failed: 0 },
        { kind: 'deployment', index: 2, fetched: 30, transformed: 30, ingested: 0, notChanged: 30, failed: 0 },
      ]);
    await expect.poll(() => page.getByTestId('history-table').locator('tbody tr').count(), SHOWN).toBe(2);
  }, 150_000);

  it('resyncs now, and a second resync while one is active shows that run instead of an error', async () => {
    await page.goto(`/installations/${installationId}/sync-status`);
    await page.locator('[data-testid="run-summary"][data-run-status="completed"]').waitFor();
    const resync = page.getByRole('button', { name: 'Resync now' });
    await resync.click();
    await page.getByText('Resync queued').waitFor();
    await resync.click();
    const active = page.getByTestId('run-active');
    await active.waitFor();
    expect(await active.textContent()).toContain('A sync is already running');
    await active.getByRole('link', { name: 'Follow the active run' }).click();
    await page.waitForURL(/sync-status\?run=/);
    await page.locator('[data-testid="run-summary"][data-run-status="completed"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('run-summary').textContent()).toContain('Resync now');
  }, 90_000);

  it('lets a member see everything but no admin action, and the api refuses them anyway', async () => {
    await page.goto('/organization/users');
    await page.getByRole('heading', { name: 'Invite someone' }).waitFor();
    await expectAccessible(page, 'users');
    await page.getByLabel('Email').fill('member@acme.test');
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.getByTestId('invitation-link').locator('.secret-box').textContent())!.trim();

    const memberContext = await newContext(browser, stack.baseUrl);
    const member = await memberContext.newPage();
    await member.goto(link);
    await member.getByText('member@acme.test is invited').waitFor();
    await expectAccessible(member, 'accept invitation');
    await member.getByLabel('Your name').fill('Mia Member');
    await member.getByLabel('Password').fill('a-long-member-password');
    await member.getByRole('button', { name: 'Join and sign in' }).click();
    await member.getByRole('heading', { name: 'Data sources', exact: true }).waitFor();

    expect(await member.getByRole('link', { name: 'Connect a tool' }).count()).toBe(0);
    expect(await member.getByRole('link', { name: 'Users' }).count()).toBe(0);
    await member.goto(`/installations/${installationId}/sync-status`);
    await member.getByTestId('resource-table').waitFor();
    expect(await member.getByRole('button', { name: 'Resync now' }).count()).toBe(0);
    expect(await member.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await member.goto(`/installations/${installationId}/settings`);
    await member.getByText('Only admins can change or delete a data source.').waitFor();
    expect(await member.getByRole('button', { name: /Delete|Disable/ }).count()).toBe(0);
    await member.goto(`/installations/${installationId}/mapping`);
    await member.getByTestId('mapping-editor').waitFor();
    expect(await member.getByRole('button', { name: 'Save and resync' }).count()).toBe(0);
    await member.goto('/organization/users');
    await member.getByTestId('role-refused').waitFor();
    await expectAccessible(member, 'users (refused to a member)');

    // The page hides the actions; the api refuses them regardless (with the member's own session and CSRF token).
    const refused = await member.evaluate(async (id) => {
      const csrf = /(?:^|; )(?:__Host-)?mooring_csrf=([^;]+)/.exec((globalThis as any).document.cookie as string)?.[1] ?? '';
      const answer = await fetch(`/v1/installations/${id}`, {
        method: 'DELETE',
        headers: { 'x-csrf-token': decodeURIComponent(csrf) },
      });
      return { status: answer.status, body: (await answer.json()) as { error: { code: string } } };
    }, installationId);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect((await api('GET', `/v1/installations/${installationId}`)).status).toBe(200);

    // Signing out ends the session on the server: its cookie no longer opens anything.
    const cookies = await memberContext.cookies();
    await member.getByRole('button', { name: 'Sign out' }).click();
    await member.waitForURL(/\/sign-in/);
    const replay = await newContext(browser, stack.baseUrl);
    await replay.addCookies(cookies);
    const replayPage = await replay.newPage();
    const me = await replayPage.request.get('/v1/me');
    expect(me.status()).toBe(401);
    await replayPage.goto('/data-sources');
    await replayPage.waitForURL(/\/sign-in/);
    await replay.close();
    await memberContext.close();
  }, 120_000);

  it('connects GitHub Enterprise through OAuth against the test OAuth server, with the outcome shown on return', async () => {
    const provider = await OAuthProvider.start();
    const github = await FakeGithub.start();
    let front: LoopbackServer | undefined;
    try {
      front = await startGithubEnterpriseFront(provider, github);
      await page.goto('/integrations/github/connect');
      await page.getByRole('heading', { name: /OAuth/ }).waitFor();
      await expectAccessible(page, 'connect (OAuth)');
      const oauth = page.locator('form').first();
      await oauth.getByLabel('Name').fill('GitHub (OAuth e2e)');
      await oauth.getByLabel('GitHub Enterprise Server URL').fill(front.origin);
      await oauth.getByLabel('OAuth client ID').fill(provider.client.clientId);
      await oauth.getByLabel('OAuth client secret', { exact: false }).first().fill(provider.client.clientSecret);
      await oauth.getByRole('button', { name: /Connect with/ }).click();

      // To the provider and back, in this browser: the console shows the outcome.
      await page.waitForURL(/\/connect\/return\?/, { timeout: 30_000 });
      const outcome = page.getByTestId('connect-outcome');
      await outcome.waitFor();
      expect(await outcome.textContent(), (await outcome.textContent()) ?? '').toContain('The tool is connected');
      await expectAccessible(page, 'connect outcome');
      expect(provider.authorizeRequests).toHaveLength(1);
      expect(provider.count('authorization_code')).toBe(1);
      await page.getByRole('link', { name: 'Watch the sync' }).click();
      await page.waitForURL(/\/installations\/[0-9a-f-]{36}\/sync-status$/);
      const id = /installations\/([0-9a-f-]{36})/.exec(page.url())![1]!;
      const stored = await api('GET', `/v1/installations/${id}`);
      expect(stored.body.installation).toMatchObject({
        integrationId: 'github',
        authMethod: 'oauth2',
        oauth: { connected: true },
      });
    } finally {
      await front?.close();
      await github.server.close();
      await provider.stop();
    }
  }, 90_000);

  it('shows live events: the webhook, counts, deliveries with refusal reasons, and rotates the secret', async () => {
    const github = await FakeGithub.start({ shape: { repositories: 3, members: 2, teams: 1 } });
    const token = 'ghp_consoleLiveEventsToken0123456789abcd';
    github.addToken(token, { login: 'octocat', scopes: 'repo, read:org, admin:org_hook', organizations: ['octo-org'] });
    try {
      const created = await api('POST', '/v1/installations', {
        integrationId: 'github',
        name: 'GitHub (live events)',
        settings: { token, host: github.host, organization: 'octo-org' },
        schedule: { every: '7d' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.installation.id as string;
      await expect.poll(() => github.webhooks.length, { timeout: 30_000 }).toBe(1);
      const repository = await github.read(token, '/repos/octo-org/repo-1');
      await github.deliver('octo-org', 'repository', { action: 'edited', repository });
      await github.deliver('octo-org', 'repository', { action: 'edited', repository }, { secret: 'not-the-secret' });

      await page.goto(`/installations/${id}/live-events`);
      const hook = page.getByTestId('live-events-hook');
      await hook.waitFor();
      await expect.poll(() => hook.textContent(), { timeout: 20_000 }).toContain(github.webhooks[0]!.url);
      const log = page.getByTestId('live-events-log');
      await expect.poll(() => log.textContent(), { timeout: 20_000 }).toContain('bad_signature');
      await expect.poll(() => log.textContent(), { timeout: 20_000 }).toContain('applied');
      // The counts refresh on their own poll, after the log's.
      await expect.poll(() => page.getByTestId('live-events-counts').textContent(), { timeout: 20_000 }).toContain('repository');
      await expectAccessible(page, 'live events');
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await expect.poll(() => hook.textContent(), { timeout: 20_000 }).toContain('the previous one is accepted until');
      // Mooring gives GitHub the new secret: the console never shows it.
      expect(await page.getByTestId('live-events-secret').count()).toBe(0);
    } finally {
      await github.close();
    }
  }, 90_000);

  it('renders every other page with its data, and each passes axe', async () => {
    await page.goto('/catalog');
    await page.getByTestId('blueprints-table').getByRole('link', { name: 'Fake service' }).click();
    const entities = page.getByTestId('entities-table');
    await entities.waitFor();
    await expectAccessible(page, 'catalog entities');
    await page.getByLabel(/Search Fake service/).fill('svc-7');
    await expect.poll(() => entities.locator('tbody tr').count(), SHOWN).toBe(1);
    await entities.getByRole('link').first().click();
    await page.getByTestId('entity-origin').waitFor();
    await expect.poll(() => page.getByTestId('entity-origin').textContent(), SHOWN).toContain('Fake tool (e2e)');
    expect(await page.getByTestId('entity-origin').textContent()).toContain('service-1');
    await page.getByTestId('entity-relations').getByRole('link').first().click();
    await page.waitForURL(/\/catalog\/fakeTeam\/team-/);
    await expectAccessible(page, 'entity');
    await page.goto('/catalog');
    await page.getByTestId('blueprints-table').waitFor();
    await expectAccessible(page, 'catalog');

    for (const [tab, ready] of [
      ['events', 'event-table'],
      ['audit', 'audit-table'],
    ] as const) {
      await page.goto(`/installations/${installationId}/${tab}`);
      await page.getByTestId(ready).waitFor();
      await expectAccessible(page, `installation ${tab}`);
    }
    expect(await page.getByTestId('audit-table').textContent()).toContain('admin@acme.test');
    await page.goto(`/installations/${installationId}/schedule`);
    await page.getByTestId('next-run').waitFor();
    await expectAccessible(page, 'schedule');
    await page.goto(`/installations/${installationId}/settings`);
    await page.getByRole('button', { name: 'Delete…' }).waitFor();
    await expectAccessible(page, 'settings');
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog').waitFor();
    await expectAccessible(page, 'delete confirmation');
    await page.getByRole('button', { name: 'Cancel' }).click();
    for (const [path, ready] of [
      ['/organization/api-clients', 'api-clients-table'],
      ['/organization/audit-log', 'audit-table'],
    ] as const) {
      await page.goto(path);
      await page.getByTestId(ready).waitFor();
      await expectAccessible(page, path);
    }
  }, 90_000);
});

/**
 * The README's screenshots: refreshed in docs/images with MOORING_SCREENSHOTS=update (dates and
 * durations differ on every run, so an ordinary test run writes them to a temporary folder instead).
 */
function screenshotPath(name: string): string {
  const dir = process.env['MOORING_SCREENSHOTS'] === 'update' ? path.join(repoRoot, 'docs/images') : os.tmpdir();
  return path.join(dir, name);
}
