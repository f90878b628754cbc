import 'reflect-metadata';
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationRegistry } from '@mooring/integrations';
import { type LiveEventWorker } from '@mooring/live-events';
import { LiveEventQueue } from '@mooring/queue';
import { adminQuery } from '../support/admin-query.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';
import { liveEventApplier, liveEventWorker } from '../support/live-event-runtime.js';
import { hookedTestIntegration, type HookedToolRecord } from '../support/test-integrations.js';

// The live-events runtime with a tool whose deliveries carry a timestamp and whose webhook
// registrations expire: stale deliveries are refused, and the renewal job extends registrations
// before they expire (with a registration lasting a minute instead of Jira's 30 days).
describe('live events: staleness and renewal', () => {
  const tool: HookedToolRecord = { registered: [], renewed: [], registrationMs: 60_000, refuseRenewal: false };
  let api: TestApi;
  let acme: TestOrganization;
  let installationId: string;
  let worker: LiveEventWorker;

  const send = (body: string, sentAt: Date, secret = tool.registered.at(-1)!.secret, deliveryId = randomUUID()) => {
    const timestamp = String(Math.floor(sentAt.getTime() / 1000));
    return api.fetch(new URL(tool.registered.at(-1)!.url).pathname, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-test-timestamp': timestamp,
        'x-test-delivery': deliveryId,
        'x-test-signature': `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
      },
      body,
    });
  };
  const hook = async () =>
    (await api.request('GET', `/v1/installations/${installationId}/live-events`, { token: acme.token })).body.hook;

  beforeAll(async () => {
    api = await TestApi.start({}, { integrations: new IntegrationRegistry([hookedTestIntegration(tool)]) });
    acme = await api.createOrganization('acme');
    const created = await api.request('POST', '/v1/installations', {
      token: acme.token,
      body: { integrationId: 'hooked-test', name: 'Hooked', settings: { token: 'secret-token-1234' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    installationId = created.body.installation.id;
    const applier = liveEventApplier(api);
    worker = liveEventWorker(api, applier);
    // What the worker's register job does.
    await worker.handleLiveEvent('register', { orgId: acme.orgId, installationId }, new AbortController().signal);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('refuses a delivery whose timestamp is stale (a replay) with the reason, and takes a fresh one', async () => {
    expect(tool.registered).toHaveLength(1);
    const stale = await send('{"thing":1}', new Date(Date.now() - 3_600_000));
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ error: { code: 'WEBHOOK_REFUSED', details: { reason: 'stale' } } });
    const early = await send('{"thing":1}', new Date(Date.now() + 3_600_000));
    expect(early.status).toBe(401);
    expect((await send('{"thing":1}', new Date())).status).toBe(202);
    const accepted = await adminQuery<{ n: number }>(api.db, 'SELECT count(*)::int AS n FROM live_events WHERE accepted');
    expect(accepted[0]!.n).toBe(1);
    const log = await api.request('GET', `/v1/installations/${installationId}/live-events/log`, { token: acme.token });
    expect(log.body.entries.map((e: { status: string; reason: string | null }) => e.reason)).toEqual([null, 'stale', 'stale']);
  });

  it('accepts a concurrent burst (shared transactions) once per delivery id, and queues its apply work', async () => {
    const queue = api.app.get(LiveEventQueue).queue;
    const jobsBefore = (await queue.getJobs(['waiting', 'delayed'])).filter((job) => job.name === 'apply').length;
    const ids = Array.from({ length: 30 }, () => randomUUID());
    // Every third delivery repeats the one before it (a tool's redelivery racing the original).
    const sent = ids.flatMap((id, i) => (i % 3 === 0 ? [id, id] : [id]));
    const statuses = await Promise.all(
      sent.map(async (id, i) => (await send(JSON.stringify({ thing: i }), new Date(), undefined, id)).status),
    );
    expect(statuses.filter((status) => status === 202)).toHaveLength(30);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    const stored = await adminQuery<{ delivery_id: string; n: number }>(
      api.db,
      `SELECT delivery_id, count(*)::int AS n FROM live_events WHERE accepted AND delivery_id = ANY($1) GROUP BY delivery_id`,
      [ids],
    );
    expect(stored).toHaveLength(30);
    expect(stored.every((row) => row.n === 1)).toBe(true);
    const duplicates = await adminQuery<{ n: number }>(
      api.db,
      `SELECT count(*)::int AS n FROM live_events WHERE NOT accepted AND status = 'duplicate' AND delivery_id = ANY($1)`,
      [ids],
    );
    expect(duplicates[0]!.n).toBe(10);
    const applyJobs = (await queue.getJobs(['waiting', 'delayed'])).filter((job) => job.name === 'apply').length - jobsBefore;
    expect(applyJobs).toBeGreaterThanOrEqual(1);
    expect(applyJobs).toBeLessThanOrEqual(30); // at most one per transaction that accepted something
  });

  it('renews a registration before it expires, and says so when the tool refuses', async () => {
    const registered = await hook();
    expect(registered).toMatchObject({ status: 'on' });
    const expiresAt = Date.parse(registered.expiresAt);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(60_000);

    // The hourly check finds it (expiring within three days) and queues a renewal.
    expect(await worker.renewExpiring()).toBe(1);
    const jobs = await api.app.get(LiveEventQueue).queue.getJobs(['waiting', 'delayed']);
    expect(jobs.filter((job) => job.name === 'renew').map((job) => job.data)).toEqual([{ orgId: acme.orgId, installationId }]);

    tool.registrationMs = 30 * 86_400_000;
    await worker.handleLiveEvent('renew', { orgId: acme.orgId, installationId }, new AbortController().signal);
    expect(tool.renewed).toEqual([1]);
    const renewed = await hook();
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(await worker.renewExpiring()).toBe(0);

    // A refused renewal: live events off, and why; the registration is not retried in a loop.
    tool.refuseRenewal = true;
    expect(await worker.renewExpiring(Date.now() + 28 * 86_400_000)).toBe(1);
    await worker.handleLiveEvent('renew', { orgId: acme.orgId, installationId }, new AbortController().signal);
    expect(await hook()).toMatchObject({ status: 'off', statusReason: expect.stringContaining('refused to extend') });
    expect(await worker.renewExpiring(Date.now() + 28 * 86_400_000)).toBe(0);

    // Registering again (the console's retry) turns them back on.
    const retried = await api.request('POST', `/v1/installations/${installationId}/live-events/register`, { token: acme.token });
    expect(retried.status).toBe(202);
    await worker.handleLiveEvent('register', { orgId: acme.orgId, installationId }, new AbortController().signal);
    expect(await hook()).toMatchObject({ status: 'on', statusReason: null });
    expect(tool.registered).toHaveLength(2);
  });
});
