import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnRedis } from '../support/own-servers.js';
import { RunsHarness } from '../support/runs-harness.js';
import type { TestOrganization } from '../support/test-api.js';

// The api, schedulers and workers (in this process) over a Redis of this file alone, which the
// tests stop and start again, with or without its data, while runs and schedules are going on.

describe('a Redis outage', () => {
  let redis: OwnRedis;
  let h: RunsHarness;
  let acme: TestOrganization;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    h = await RunsHarness.start({ REDIS_URL: redis.url });
    acme = await h.organization('acme');
    // Sweeps every second: a running run whose job is gone is looked at almost at once.
    await h.startScheduler({ DISPATCH_REQUEUE_AFTER_SECONDS: '1', SCHEDULE_CHECK_SECONDS: '1' });
    await h.startWorker();
  });

  afterAll(async () => {
    await redis.resume({ keepData: true }).catch(() => {});
    await h?.close();
    await redis?.close();
  });

  it('answers a resync 503 with Retry-After while Redis is down, writing nothing, and takes it once Redis is back', async () => {
    const installation = await h.install(acme);
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);

    await redis.stop();
    try {
      const response = await fetch(`${h.api.baseUrl}/v1/installations/${installation.id}/resync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${acme.token}` },
        // Far longer than the answer takes; a call waiting for Redis to come back would run into it.
        signal: AbortSignal.timeout(20_000),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(await h.runs(installation.id)).toHaveLength(1);

      // Other calls that touch Redis (a schedule change) answer too; the schedule follows later.
      const changed = await fetch(`${h.api.baseUrl}/v1/installations/${installation.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${acme.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ schedule: { every: '2d' } }),
        signal: AbortSignal.timeout(20_000),
      });
      expect(changed.status).toBe(200);

      // Rate-limited routes count in memory meanwhile: the token exchange neither hangs nor fails.
      const exchanged = await fetch(`${h.api.baseUrl}/v1/auth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: acme.clientId, clientSecret: acme.clientSecret }),
        signal: AbortSignal.timeout(20_000),
      });
      expect(exchanged.status).toBe(200);
    } finally {
      await redis.resume({ keepData: true });
    }
    const accepted = await h.until('the resync to be accepted', async () => {
      const response = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
      return response.status === 202 ? response : undefined;
    });
    expect(await h.ended(installation.id, accepted.body.run.id)).toMatchObject({ status: 'completed' });
  }, 60_000);

  it('lets a running run finish when Redis comes back empty: a lost job is no proof of a dead worker', async () => {
    const installation = await h.install(acme);
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);
    h.tool.setLatency(300); // about 3 s of pages
    try {
      const accepted = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
      const runId = accepted.body.run.id as string;
      await h.until('the run to be running', async () =>
        (await h.runs(installation.id)).some((run) => run.id === runId && run.status === 'running') ? true : undefined,
      );
      await redis.restart({ keepData: false });
      // Several sweeps pass while the worker, which never stopped, finishes the run.
      const finished = await h.ended(installation.id, runId, 30_000);
      expect(finished, h.logs.slice(-20).join('')).toMatchObject({ status: 'completed', attempt: 1, error_code: null });
    } finally {
      h.tool.setLatency(0);
    }
  }, 60_000);

  it('rebuilds lost schedules from PostgreSQL when Redis comes back empty, without a restart', async () => {
    const installation = await h.install(acme, { schedule: { every: '1s' } });
    const scheduled = async (after: Date) =>
      (await h.runs(installation.id)).filter((run) => run.trigger === 'schedule' && run.scheduled_for! > after);
    await h.until('a scheduled run', async () => ((await scheduled(new Date(0))).length ? true : undefined));

    await redis.restart({ keepData: false });
    const restarted = new Date();
    const after = await h.until(
      'scheduled runs again',
      async () => ((await scheduled(restarted)).length ? true : undefined),
      30_000,
    );
    expect(after).toBe(true);
    await h.api.request('PATCH', `/v1/installations/${installation.id}`, {
      token: acme.token,
      body: { schedule: { every: '7d' } },
    });
  }, 60_000);
});
