import 'reflect-metadata';
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRestApi, fakeIssues, fakeProjects } from '@mooring/integrations/testing';
import { HookSecrets } from '@mooring/live-events';
import { LiveEventRepository } from '@mooring/persistence';
import { adminQuery } from '../support/admin-query.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';
import { liveEventApplier } from '../support/live-event-runtime.js';
import { resyncInProcess } from '../support/resync-in-process.js';

// The generic HTTP integration through the product: installed with declared kinds (one dependent
// on the other), a mapping naming them, a resync of a REST API on loopback, then a forged
// delivery refused at the edge and a signed one applied through the mapping.
describe('generic HTTP integration, end to end', () => {
  const token = 'rest-api-token-0123456789';
  let tool: FakeRestApi;
  let api: TestApi;
  let acme: TestOrganization;
  let installationId: string;

  const kinds = [
    { name: 'projects', path: '/page/projects', pagination: { type: 'pageNumber', size: 3 } },
    { name: 'issues', path: '/projects/{id}/issues', parent: { kind: 'projects' } },
  ];
  const liveEvents = {
    signatureHeader: 'X-Signature',
    algorithm: 'sha256',
    prefix: 'sha256=',
    requestIdHeader: 'X-Delivery',
    kind: 'projects',
    itemPath: 'project',
    idPath: 'project.id',
    deletedWhen: { path: 'action', equals: 'deleted' },
  };
  const entity = (blueprint: string) => ({
    identifier: '$string(id)',
    title: blueprint === 'project' ? 'name' : 'title',
    blueprint: '"genericItem"',
    properties: { raw: '$' },
  });
  const mapping = {
    resources: [
      { kind: 'projects', selector: { query: 'true' }, port: { entity: { mappings: entity('project') } } },
      { kind: 'issues', selector: { query: 'true' }, port: { entity: { mappings: entity('issue') } } },
    ],
  };
  const titles = async () =>
    (
      await adminQuery<{ identifier: string; title: string }>(
        api.db,
        "SELECT identifier, title FROM entities WHERE org_id = $1 AND blueprint = 'genericItem' ORDER BY identifier",
        [acme.orgId],
      )
    ).map((row) => [row.identifier, row.title]);

  beforeAll(async () => {
    tool = await FakeRestApi.start({ type: 'bearer', token });
    api = await TestApi.start({ UNSAFE_OUTBOUND_ALLOW_LOOPBACK_FOR_TESTS: 'true' });
    acme = await api.createOrganization('acme');
    await api.request('PATCH', '/v1/organization', { token: acme.token, body: { allowHttpHosts: true } });
  });

  afterAll(async () => {
    await api?.close();
    await tool?.close();
  });

  it('refuses a mapping naming a kind the settings do not declare, naming the field', async () => {
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: {
        integrationId: 'generic-http',
        name: 'Wrong',
        settings: { baseUrl: tool.origin, token, kinds: JSON.stringify(kinds) },
        mapping: { resources: [{ ...mapping.resources[0], kind: 'repos' }] },
      },
    });
    expect(created.status).toBe(400);
    expect(created.body.error.details.fields).toEqual([
      expect.objectContaining({ field: 'resources[0].kind', message: expect.stringContaining('it has: projects, issues') }),
    ]);
  });

  it('installs with declared kinds and syncs the listing and its dependent kind', async () => {
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: {
        integrationId: 'generic-http',
        name: 'REST',
        settings: { baseUrl: tool.origin, token, kinds: JSON.stringify(kinds), liveEvents: JSON.stringify(liveEvents) },
        mapping,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    installationId = created.body.installation.id;
    const run = await resyncInProcess(api, acme, installationId);
    expect(run.status, JSON.stringify(run.resources.map((r) => r.error))).toBe('completed');
    const issues = fakeProjects(7).flatMap((project) => fakeIssues(project.id));
    expect(run.resources.map((r) => [r.kind, r.ingested])).toEqual([
      ['projects', 7],
      ['issues', issues.length],
    ]);
    expect(await titles()).toEqual(
      [...fakeProjects(7).map((p) => [String(p.id), p.name]), ...issues.map((i) => [i.id, i.title])].sort((a, b) =>
        a[0]!.localeCompare(b[0]!),
      ),
    );
  });

  it("tries a kind live: its first page's raw items, for writing a mapping", async () => {
    const tried = await api.request('POST', `/v1/installations/${installationId}/kinds/projects/try`, { token: acme.token });
    expect(tried.status, JSON.stringify(tried.body)).toBe(200);
    expect(tried.body).toEqual({ kind: 'projects', items: fakeProjects(3), truncated: false });
    const child = await api.request('POST', `/v1/installations/${installationId}/kinds/issues/try`, { token: acme.token });
    expect(child.body.items[0]).toMatchObject({ __parent: fakeProjects(1)[0] });
    const unknown = await api.request('POST', `/v1/installations/${installationId}/kinds/nope/try`, { token: acme.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });

  it('refuses an items expression that does not compile on save naming its field, and tries one that does', async () => {
    const declare = (expression: string) => ({
      integrationId: 'generic-http',
      name: `Expression ${expression}`,
      settings: {
        baseUrl: tool.origin,
        token,
        kinds: JSON.stringify([
          {
            name: 'projects',
            path: '/offset/projects',
            pagination: { type: 'offset', limit: 3 },
            itemsExpression: { language: 'jq', expression },
          },
        ]),
      },
      mapping: { resources: [mapping.resources[0]] },
    });
    const refused = await api.request('POST', '/v1/installations', { token: acme.token, body: declare('.data | nope(') });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.error.details.fields).toEqual([
      expect.objectContaining({
        field: 'settings.kinds[0].itemsExpression.expression',
        message: expect.stringMatching(/^invalid jq: /),
      }),
    ]);

    const created = await api.request('POST', '/v1/installations', { token: acme.token, body: declare('.data[]') });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.installation.id as string;
    const tried = await api.request('POST', `/v1/installations/${id}/kinds/projects/try`, { token: acme.token });
    expect(tried.status, JSON.stringify(tried.body)).toBe(200);
    expect(tried.body).toEqual({ kind: 'projects', items: fakeProjects(3), truncated: false });
    expect((await api.request('DELETE', `/v1/installations/${id}`, { token: acme.token })).status).toBeLessThan(300);
  });

  /** The hook's URL and current secret, a delivery sender, and the worker's applier draining what was received. */
  const liveEdge = async () => {
    const hook = (await api.request('GET', `/v1/installations/${installationId}/live-events`, { token: acme.token })).body.hook;
    expect(hook).toMatchObject({ supported: true, status: 'on' });
    const stored = (await api.app.get(LiveEventRepository).hook(acme.orgId, installationId))!;
    const { current } = await api.app.get(HookSecrets).open(acme.orgId, installationId, stored.envelope);
    const send = (secret: string, body: string) =>
      api.fetch(new URL(hook.hookUrl as string).pathname, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-delivery': randomUUID(),
          'x-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        },
        body,
      });
    const applier = liveEventApplier(api);
    const drain = () => applier.drain(acme.orgId, installationId, new AbortController().signal);
    return { current, send, drain };
  };
  const lastResult = async () =>
    (
      (await api.request('GET', `/v1/installations/${installationId}/live-events/log?limit=1`, { token: acme.token })).body
        .entries as Array<{ changes: Array<{ kind: string; result: string }> }>
    )[0]!.changes;
  const deletion = (id: number) => JSON.stringify({ action: 'deleted', project: { id, name: `project-${id}` } });

  it('refuses a forged delivery at the edge and applies a signed one through the mapping', async () => {
    const { current, send, drain } = await liveEdge();
    const renamed = JSON.stringify({ action: 'updated', project: { id: 3, name: 'renamed by a webhook' } });
    const forged = await send('not-the-secret', renamed);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('WEBHOOK_REFUSED');

    const signed = await send(current, renamed);
    expect(signed.status).toBe(202);
    await drain();
    expect(await titles()).toContainEqual(['3', 'renamed by a webhook']);
    expect(await titles()).not.toContainEqual(['3', 'project-3']);
  });

  it('rotates the secret: the answer shows the new one once, deliveries signed with it are accepted, nothing else shows it', async () => {
    const { current: previous, send, drain } = await liveEdge();
    const rotated = await api.request('POST', `/v1/installations/${installationId}/live-events/rotate-secret`, {
      token: acme.token,
    });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    expect(rotated.body).toMatchObject({ registersItself: false, status: 'on', secret: expect.stringMatching(/^.{32,}$/) });
    expect(rotated.body.previousSecretValidUntil).not.toBeNull();
    const secret = rotated.body.secret as string;
    expect(secret).not.toBe(previous);

    const renamed = JSON.stringify({ action: 'updated', project: { id: 6, name: 'renamed with the new secret' } });
    expect((await send(secret, renamed)).status).toBe(202);
    expect((await send('not-the-secret', renamed)).status).toBe(401);
    // The tool may still sign with the previous secret until the overlap ends.
    expect((await send(previous, renamed)).status).toBe(202);
    await drain();
    expect(await titles()).toContainEqual(['6', 'renamed with the new secret']);

    const status = await api.request('GET', `/v1/installations/${installationId}/live-events`, { token: acme.token });
    const log = await api.request('GET', `/v1/installations/${installationId}/live-events/log`, { token: acme.token });
    const audit = await api.request('GET', '/v1/audit-log', { token: acme.token });
    expect(status.body.hook).not.toHaveProperty('secret');
    for (const answer of [status, log, audit]) expect(JSON.stringify(answer.body)).not.toContain(secret);
    expect(audit.body.events.map((e: { action: string }) => e.action)).toContain('installation.webhook_secret_rotated');
  });

  it('deletes nothing on a signed deletion when the kind declares no itemPath to confirm it with', async () => {
    const { current, send, drain } = await liveEdge();
    expect((await send(current, deletion(2))).status).toBe(202);
    await drain();
    expect(await titles()).toContainEqual(['2', 'project-2']);
    expect(await lastResult()).toEqual([
      expect.objectContaining({
        kind: 'projects',
        result: expect.stringMatching(/^failed: UPSTREAM_INCOMPLETE: cannot confirm the deletion with the tool: kind projects/),
      }),
    ]);
  });

  it("confirms a signed deletion at the kind's itemPath: kept while the tool has the item, deleted once it answers 404", async () => {
    const withItemPath = kinds.map((kind) => (kind.name === 'projects' ? { ...kind, itemPath: '/projects/{id}' } : kind));
    const updated = await api.request('PATCH', `/v1/installations/${installationId}`, {
      token: acme.token,
      body: {
        settings: { baseUrl: tool.origin, token, kinds: JSON.stringify(withItemPath), liveEvents: JSON.stringify(liveEvents) },
      },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    const { current, send, drain } = await liveEdge();

    expect((await send(current, deletion(4))).status).toBe(202);
    await drain();
    expect(await lastResult()).toEqual([expect.objectContaining({ kind: 'projects', result: 'kept_exists' })]);
    expect(await titles()).toContainEqual(['4', 'project-4']);

    tool.removeProject(5);
    expect((await send(current, deletion(5))).status).toBe(202);
    await drain();
    expect(await lastResult()).toEqual([expect.objectContaining({ kind: 'projects', result: 'deleted' })]);
    expect((await titles()).map(([identifier]) => identifier)).not.toContain('5');
  });
});
