import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGithub } from '@mooring/integrations/testing';
import { launchChromium, newContext, seriousA11yViolations } from '../support/browser.js';
import { signInAsAdmin, startConsoleStack, type ConsoleStack } from '../support/console-stack.js';

// "Install the GitHub App" in the web console, in Debian's Chromium against the real api, worker
// and scheduler (build output): the button on GitHub's connect page opens the fake GitHub's install
// page, which sends the browser back to the App's Setup URL; the console lands on the new data
// source, whose first sync brings the repositories in. A request an owner must approve lands on a
// "waiting for approval" page with nothing connected. Run `npm run build` first.
describe('installing the GitHub App from the web console', () => {
  const APP_ID = 60601;
  const SLUG = 'mooring-e2e';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let fake: FakeGithub;
  let stack: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    fake = await FakeGithub.start({ shape: { repositories: 7, members: 2, teams: 1 } });
    fake.apps.addApp(APP_ID, publicKey);
    fake.apps.install(8101, APP_ID, 'octo-org');
    stack = await startConsoleStack({
      env: {
        GITHUB_APP_ID: String(APP_ID),
        GITHUB_APP_SLUG: SLUG,
        GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        GITHUB_APP_WEBHOOK_SECRET: randomBytes(24).toString('base64url'),
        GITHUB_APP_WEB_URL: fake.host,
        GITHUB_APP_API_URL: `${fake.host}/api/v3`,
      },
    });
    fake.apps.publish(SLUG, APP_ID, `${stack.baseUrl}/v1/github-app/setup`);
    browser = await launchChromium();
    context = await newContext(browser, stack.baseUrl);
    page = await context.newPage();
    await signInAsAdmin(page, stack);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await fake?.close();
  });

  const startInstall = async () => {
    await page.goto('/integrations/github/connect');
    await page.getByRole('heading', { name: 'Install the GitHub App' }).waitFor();
    await page.getByRole('button', { name: 'Install the GitHub App' }).click();
  };

  it('shows "waiting for approval" when an owner must approve, connecting nothing', async () => {
    fake.apps.nextInstall = { action: 'request' };
    await startInstall();
    const outcome = page.getByTestId('connect-outcome');
    await outcome.waitFor({ timeout: 60_000 });
    expect(await outcome.getAttribute('data-status')).toBe('pending');
    expect(await outcome.textContent()).toContain('An owner of the account must approve');
    expect(await seriousA11yViolations(page)).toEqual([]);
    const listed = await fetch(`${stack.baseUrl}/v1/installations`, { headers: { authorization: `Bearer ${stack.bearer}` } });
    expect(((await listed.json()) as { installations: unknown[] }).installations).toEqual([]);
  });

  it('installs through GitHub’s install page and lands on a data source that syncs', async () => {
    fake.apps.nextInstall = { installationId: 8101, action: 'install' };
    await startInstall();
    const outcome = page.getByTestId('connect-outcome');
    await outcome.waitFor({ timeout: 60_000 });
    expect(await outcome.textContent()).toContain('The tool is connected');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Watch the sync' }).click();
    const installationId = /\/installations\/([0-9a-f-]{36})\//.exec(page.url())![1]!;

    const deadline = Date.now() + 120_000;
    let repositories = 0;
    while (Date.now() < deadline) {
      const response = await fetch(`${stack.baseUrl}/v1/blueprints/githubRepository/entities?limit=100`, {
        headers: { authorization: `Bearer ${stack.bearer}` },
      });
      const body = (await response.json()) as { entities?: Array<{ installationId?: string }> };
      repositories = body.entities?.length ?? 0;
      if (repositories === 7) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(repositories).toBe(7);
    const installation = await fetch(`${stack.baseUrl}/v1/installations/${installationId}`, {
      headers: { authorization: `Bearer ${stack.bearer}` },
    });
    expect(
      ((await installation.json()) as { installation: { settings: Record<string, string> } }).installation.settings,
    ).toMatchObject({ installationId: '8101', appId: String(APP_ID) });

    // Live events: they arrive through the App's webhook, with nothing to set up (no URL, no secret to create).
    await page.getByRole('link', { name: 'Live events' }).click();
    const throughApp = page.getByTestId('live-events-through-app');
    await throughApp.waitFor({ timeout: 30_000 });
    expect(await throughApp.textContent()).toContain('Deliveries arrive through Mooring’s GitHub App; nothing to set up here');
    expect(await page.getByTestId('live-events-hook-url').count()).toBe(0);
    expect(await page.getByRole('button', { name: /secret/i }).count()).toBe(0);
    await page.getByRole('heading', { name: 'Recent deliveries' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Settings: what it is connected through, read-only credentials with GitHub's page for repository access.
    await page.getByRole('link', { name: 'Settings' }).click();
    const connection = page.getByTestId('settings-connection');
    await connection.waitFor({ timeout: 30_000 });
    const shown = await connection.textContent();
    expect(shown).toContain('Connected through Mooring’s GitHub App');
    expect(shown).toContain('octo-org (organization)');
    expect(shown).toContain('8101');
    expect(shown).not.toContain('privateKey');
    const manage = page.getByRole('link', { name: 'Manage repository access on GitHub' });
    expect(await manage.getAttribute('href')).toBe(`${fake.host}/organizations/octo-org/settings/installations/8101`);
    expect(await page.getByTestId('settings-credentials').textContent()).toContain('Read-only');
    expect(await page.getByRole('link', { name: 'Rotate token' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    // What is not a credential still saves.
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('GitHub through the App');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: /GitHub through the App/ }).waitFor({ timeout: 30_000 });

    // Reconnecting asks for no token or key: it says where access is given back.
    await page.goto(`/integrations/github/connect?reconnect=${installationId}`);
    const reconnect = page.getByTestId('app-reconnect');
    await reconnect.waitFor({ timeout: 30_000 });
    expect(await reconnect.textContent()).toContain('There is no token or key to enter here');
    expect(await page.getByRole('link', { name: 'Open the installation on GitHub' }).getAttribute('href')).toBe(
      `${fake.host}/organizations/octo-org/settings/installations/8101`,
    );
    expect(await page.getByLabel(/GitHub App private key/).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
