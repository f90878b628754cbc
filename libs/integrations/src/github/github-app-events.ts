import type { JsonObject, JsonValue, LiveChange, WebhookDelivery } from '../integration-definition.js';
import { isGithubApp } from './github-app.js';

// A GitHub App's webhook (README.md, "Live events"): one URL and secret set on the App, every
// installation's deliveries go there with `installation.id` in the body and the App's id in
// `X-GitHub-Hook-Installation-Target-ID` (target type `integration`). Nothing is registered per
// installation. `installation_repositories` says which repositories the App may read now.

const obj = (value: JsonValue | undefined): JsonObject | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
const NUMERIC_ID = /^[1-9][0-9]{0,18}$/;

/** Installations of a GitHub App get their events at the App's webhook: Mooring registers none for them. */
export function githubRegistersFor(settings: Readonly<Record<string, string>>): boolean {
  return !isGithubApp(settings);
}

/** The App and its installation a delivery to an App's webhook is for; null when it names neither. */
export function githubAppInstallationOf({
  headers,
  body,
}: {
  readonly headers: WebhookDelivery['headers'];
  readonly body: JsonValue;
}): { appId: string; installationId: string } | null {
  if (headers['x-github-hook-installation-target-type'] !== 'integration') return null;
  const appId = headers['x-github-hook-installation-target-id'];
  const id = obj(obj(body)?.['installation'])?.['id'];
  const installationId = typeof id === 'number' || typeof id === 'string' ? String(id) : undefined;
  if (!appId || !NUMERIC_ID.test(appId) || !installationId || !NUMERIC_ID.test(installationId)) return null;
  return { appId, installationId };
}

/**
 * `installation` `suspend` and `deleted` withdraw the App installation's access (GitHub refuses its
 * tokens from then on); `unsuspend` restores it. Other actions (`created`, `new_permissions_accepted`)
 * change nothing here.
 */
export function githubAppAccessOf({
  headers,
  body,
}: {
  readonly headers: WebhookDelivery['headers'];
  readonly body: JsonValue;
}): { access: 'withdrawn' | 'restored'; reason: string } | null {
  if (headers['x-github-event'] !== 'installation') return null;
  const payload = obj(body);
  const account = obj(obj(payload?.['installation'])?.['account'])?.['login'];
  const on = typeof account === 'string' ? ` on ${account}` : '';
  const from = typeof account === 'string' ? ` from ${account}` : '';
  switch (payload?.['action']) {
    case 'suspend':
      return { access: 'withdrawn', reason: `the GitHub App installation${on} was suspended; unsuspend it on GitHub` };
    case 'deleted':
      return {
        access: 'withdrawn',
        reason: `the GitHub App was uninstalled${from}; install it again and connect the new installation`,
      };
    case 'unsuspend':
      return { access: 'restored', reason: `the GitHub App installation${on} was unsuspended` };
    default:
      return null;
  }
}

/**
 * `installation_repositories`: repositories added to the installation are read and written like
 * any repository event; removed ones are deleted only once GitHub, asked with the installation's
 * token, confirms they are gone for it (the usual confirmation of a deletion).
 */
export function installationRepositoryChanges(payload: JsonObject): readonly LiveChange[] {
  const repositories = (field: string) => {
    const list = payload[field];
    return (Array.isArray(list) ? list : []).flatMap((value) => {
      const repository = obj(value);
      const name = repository?.['full_name'];
      return repository && typeof name === 'string' && name.includes('/') ? [{ name, repository }] : [];
    });
  };
  return [
    // The payload carries a few fields only: each added repository is read whole.
    ...repositories('repositories_added').map(({ name }): LiveChange => ({ kind: 'repository', itemId: name, action: 'upsert' })),
    // Kept as the item to find its entities by, once the deletion is confirmed.
    ...repositories('repositories_removed').map(({ name, repository }): LiveChange => ({
      kind: 'repository',
      itemId: name,
      action: 'delete',
      item: repository,
    })),
  ];
}
