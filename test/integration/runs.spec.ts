import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplicationContext } from '@nestjs/common';
import { ScheduleRegistry, SyncRunQueue } from '@mooring/queue';
import { Dispatcher } from '@mooring/runs/scheduler';
import { adminQuery } from '../support/admin-query.js';
import { FAKE_TOKEN, RunsHarness } from '../support/runs-harness.js';
import type { TestOrganization } from '../support/test-api.js';

// Runs end to end in one process: the api asks for runs, the scheduler's ticks and dispatcher
// admit them, workers run them against the fake tool; real PostgreSQL, Redis and BullMQ.

describe('manual resync through the api, run by a worker', () => {
  let h: RunsHarness;
  let acme: TestOrganization;

  beforeAll(async () => {
    h = await RunsHarness.start();
    acme = await h.organization('acme');
    await h.startScheduler();
    await h.startWorker();
  });
  afterAll(() => h.close());

  it('runs the install’s first sync, then answers 202 with a run id, and 409 with the active run’s id', async () => {
    const installation = await h.install(acme);
    const [installed] = await h.runs(installation.id);
    expect(installed).toMatchObject({ trigger: 'installed' });
    expect(await h.ended(installation.id, installed!.id)).toMatchObject({ status: 'completed', attempt: 1 });

    h.tool.setLatency(150); // long enough for a second request to find the first still active
    const accepted = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body.run).toMatchObject({ id: expect.any(String), status: 'pending' });
    const again = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'RUN_ACTIVE', details: { runId: accepted.body.run.id } });
    h.tool.setLatency(0);

    const finished = await h.ended(installation.id, accepted.body.run.id);
    expect(finished).toMatchObject({ status: 'completed', trigger: 'manual', error_code: null });
    expect(finished.dispatched_at).not.toBeNull();

    const audit = await h.api.request('GET', '/v1/audit-log?action=installation.resync_requested', { token: acme.token });
    expect(audit.body.events.map((event: { details: { runId: string } }) => event.details.runId)).toContain(accepted.body.run.id);
  });

  it('refuses a resync of a disabled installation, and of another organization’s', async () => {
    const installation = await h.install(acme);
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);
    await h.api.request('PATCH', `/v1/installations/${installation.id}`, { token: acme.token, body: { enabled: false } });
    const disabled = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
    expect(disabled.status).toBe(409);
    expect(disabled.body.error.code).toBe('INSTALLATION_DISABLED');

    const other = await h.organization('other');
    const foreign = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: other.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    expect((await h.runs(installation.id)).length).toBe(1);
  });

  it('retries a run the tool refused with 503 and Retry-After, keeping what the first attempt completed', async () => {
    const installation = await h.install(acme);
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);
    const teamListings = () => h.tool.requests.filter((request) => request.startsWith('GET /api/v1/teams')).length;
    const before = teamListings();
    h.tool.failKind('deployment', { afterPages: 1, status: 503, times: 1, retryAfterSeconds: 1 });
    const accepted = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
    const finished = await h.ended(installation.id, accepted.body.run.id);
    expect(finished).toMatchObject({ status: 'completed', attempt: 2, deleted: 0 });
    // Teams and services completed in the first attempt and were not fetched again.
    expect(teamListings() - before).toBe(1);
    h.tool.failKind('deployment', null);
  });

  it('marks the installation needs_reauth when the tool revokes its token, and stops its schedule', async () => {
    const installation = await h.install(acme, { schedule: { every: '1h' } });
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);
    expect(await h.api.app.get(ScheduleRegistry).nextRunAt(installation.id)).not.toBeNull();

    h.tool.setToken('a-new-token-the-installation-does-not-have');
    try {
      const accepted = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
      const finished = await h.ended(installation.id, accepted.body.run.id);
      expect(finished).toMatchObject({ status: 'failed', error_code: 'CREDENTIALS_INVALID', attempt: 1, deleted: 0 });

      const shown = await h.api.request('GET', `/v1/installations/${installation.id}`, { token: acme.token });
      expect(shown.body.installation).toMatchObject({ state: 'needs_reauth', nextRunAt: null });
      expect(shown.body.installation.stateReason).toContain('refused the credentials');
      expect(await h.api.app.get(ScheduleRegistry).nextRunAt(installation.id)).toBeNull();
      const refused = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('REAUTH_REQUIRED');
    } finally {
      h.tool.setToken(FAKE_TOKEN);
    }
    expect(h.logs.join('')).not.toContain(FAKE_TOKEN);
  });

  it('the worker makes the needs_reauth transition itself: audited once, schedule paused, where the refusal happens', async () => {
    const installation = await h.install(acme, { schedule: { every: '1h' } });
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);
    const worker = h.workerApps()[0]!;
    expect(await worker.get(ScheduleRegistry).nextRunAt(installation.id)).not.toBeNull();

    h.tool.setToken('another-token-the-installation-does-not-have');
    try {
      const accepted = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
      expect(await h.ended(installation.id, accepted.body.run.id)).toMatchObject({
        status: 'failed',
        error_code: 'CREDENTIALS_INVALID',
      });
    } finally {
      h.tool.setToken(FAKE_TOKEN);
    }
    // Seen from the worker's own context: its lifecycle paused the schedule.
    expect(await worker.get(ScheduleRegistry).nextRunAt(installation.id)).toBeNull();
    const audit = await h.api.request('GET', `/v1/audit-log?action=installation.state_changed&targetId=${installation.id}`, {
      token: acme.token,
    });
    // The connection (with the tool's words) and the job's end both report it: one transition, one entry.
    expect(audit.body.events).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ kind: 'system', id: 'mooring' }),
        details: {
          name: installation['name'],
          from: 'active',
          to: 'needs_reauth',
          reason: 'fake refused the credentials: The fake tool rejected the token',
        },
      }),
    ]);
  });

  it('resyncs after a new mapping, as Port does', async () => {
    const installation = await h.install(acme);
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);
    const mapping = installation['mapping'] as { resources: unknown[] };
    const changed = await h.api.request('PATCH', `/v1/installations/${installation.id}`, {
      token: acme.token,
      body: { mapping: { ...mapping, resources: mapping.resources.slice(0, 1) } },
    });
    expect(changed.status).toBe(200);
    const runs = await h.runs(installation.id);
    expect(runs.map((run) => run.trigger)).toEqual(['installed', 'mapping_changed']);
    expect(await h.ended(installation.id, runs[1]!.id)).toMatchObject({ status: 'completed' });
  });
});

describe('deletion safety through the api', () => {
  let h: RunsHarness;
  let acme: TestOrganization;

  beforeAll(async () => {
    h = await RunsHarness.start();
    acme = await h.organization('acme');
    await h.startScheduler();
    await h.startWorker();
  });
  afterAll(() => h.close());

  it('refuses to delete after a drop beyond maxFetchDrop, says why, and deletes once a resync accepts the drop', async () => {
    const call = (method: string, path: string, body?: unknown) =>
      h.api.request(method, path, { token: acme.token, ...(body === undefined ? {} : { body }) });
    const installation = await h.install(acme, { maxFetchDrop: 0.4 });
    expect(installation['maxFetchDrop']).toBe(0.4);
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);

    const bad = await call('PATCH', `/v1/installations/${installation.id}`, { maxFetchDrop: 1.5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toEqual([{ field: 'maxFetchDrop', message: expect.stringContaining('1') }]);
    const changed = await call('PATCH', `/v1/installations/${installation.id}`, { maxFetchDrop: 0.5 });
    expect(changed.body.installation.maxFetchDrop).toBe(0.5);
    const updates = await call('GET', '/v1/audit-log?action=installation.updated');
    expect(updates.body.events[0].details.changes).toEqual({ maxFetchDrop: { from: 0.4, to: 0.5 } });

    // The tool ends the deployments' listing after its first page, without totals: 10 of 30.
    h.tool.setReportTotals(false);
    h.tool.injectFault('deployment', { type: 'short', page: 0 });
    try {
      const refused = await call('POST', `/v1/installations/${installation.id}/resync`);
      expect(await h.ended(installation.id, refused.body.run.id)).toMatchObject({
        status: 'completed',
        deleted: 0,
        deletion_decision: 'skipped',
      });
      const status = (await call('GET', `/v1/installations/${installation.id}/sync-status`)).body;
      expect(status.run.acceptFetchDrop).toBe(false);
      expect(status.run.reconciliation.deletion).toEqual({
        decision: 'skipped',
        reason: 'resource deployment-2 fetched 10 items, 66.7% fewer than the 30 of the last trusted run (maxFetchDrop 0.5)',
        details: { fetchDrop: { resource: 'deployment-2', fetched: 10, previous: 30, drop: 2 / 3, maxFetchDrop: 0.5 } },
      });
      expect(status.tips).toEqual([
        expect.objectContaining({ code: 'FETCH_DROPPED', kind: 'deployment', kindIndex: 2, severity: 'warning' }),
      ]);

      const malformed = await call('POST', `/v1/installations/${installation.id}/resync`, { acceptFetchDrop: 'yes' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.details.fields[0].field).toBe('acceptFetchDrop');

      const accepted = await call('POST', `/v1/installations/${installation.id}/resync`, { acceptFetchDrop: true });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      expect(accepted.body.run).toMatchObject({ status: 'pending', acceptFetchDrop: true });
      expect(await h.ended(installation.id, accepted.body.run.id)).toMatchObject({
        status: 'completed',
        deleted: 20,
        deletion_decision: 'deleted',
      });
      const audit = await call('GET', '/v1/audit-log?action=installation.resync_requested');
      expect(audit.body.events[0].details).toMatchObject({ runId: accepted.body.run.id, acceptFetchDrop: true });
      const shown = (await call('GET', `/v1/installations/${installation.id}/sync-status`)).body;
      expect(shown.run).toMatchObject({ acceptFetchDrop: true, reconciliation: { deleted: 20 } });
    } finally {
      h.tool.injectFault('deployment', null);
      h.tool.setReportTotals(true);
    }
  });
});

describe('schedules', () => {
  let h: RunsHarness;
  let acme: TestOrganization;

  beforeAll(async () => {
    h = await RunsHarness.start();
    acme = await h.organization('acme');
  });
  afterAll(() => h.close());

  it('validates the schedule and shows it with its next run time', async () => {
    const bad = await h.api.request('POST', '/v1/installations', {
      token: acme.token,
      body: {
        integrationId: 'fake',
        name: 'bad',
        settings: { baseUrl: h.tool.baseUrl, token: FAKE_TOKEN },
        schedule: { every: 'soon' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toEqual([
      { field: 'schedule.every', message: 'must be a duration such as 15m, 1h or 2d' },
    ]);
    const badZone = await h.api.request('POST', '/v1/installations', {
      token: acme.token,
      body: {
        integrationId: 'fake',
        name: 'bad zone',
        settings: { baseUrl: h.tool.baseUrl, token: FAKE_TOKEN },
        schedule: { cron: '0 6 * * *', timezone: 'Mars/Olympus' },
      },
    });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error.details.fields[0].field).toBe('schedule.timezone');
    expect((await h.api.request('GET', '/v1/installations', { token: acme.token })).body.installations).toEqual([]);

    const installation = await h.install(acme, { schedule: { cron: '0 6 * * 1-5', timezone: 'Europe/Berlin' } });
    expect(installation['schedule']).toEqual({ cron: '0 6 * * 1-5', timezone: 'Europe/Berlin' });
    const next = new Date(installation['nextRunAt'] as string);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(next)).toBe(
      '06:00',
    );
    expect(await h.api.app.get(ScheduleRegistry).nextRunAt(installation.id)).toEqual(next);

    const hourly = await h.api.request('PATCH', `/v1/installations/${installation.id}`, {
      token: acme.token,
      body: { schedule: { every: '2h' } },
    });
    expect(hourly.body.installation.schedule).toEqual({ every: '2h' });
    expect(await h.api.app.get(ScheduleRegistry).nextRunAt(installation.id)).toEqual(
      new Date(hourly.body.installation.nextRunAt),
    );
  });

  it('runs each due time once, and records a skip when the previous run is still active', async () => {
    const installation = await h.install(acme, { schedule: { every: '1s' } });
    await h.startScheduler();
    await h.startScheduler(); // two replicas
    await h.startWorker();
    // Scheduled runs alternate with skips while each run takes longer than the interval.
    h.tool.setLatency(120);
    const runs = await h.until(
      'a skipped tick and three scheduled runs',
      async () => {
        const all = await h.runs(installation.id);
        const scheduled = all.filter((run) => run.trigger === 'schedule' && run.status === 'completed');
        return scheduled.length >= 3 && all.some((run) => run.status === 'skipped') ? all : undefined;
      },
      30_000,
    );
    h.tool.setLatency(0);

    const dueTimes = runs.filter((run) => run.trigger === 'schedule').map((run) => run.scheduled_for!.getTime());
    expect(new Set(dueTimes).size).toBe(dueTimes.length); // never twice for one due time
    expect(dueTimes.every((time) => (time - dueTimes[0]!) % 1000 === 0)).toBe(true);
    const skipped = runs.find((run) => run.status === 'skipped')!;
    expect(runs.map((run) => run.id)).toContain(skipped.skipped_for);
    expect(skipped.error_code).toBe('RUN_ACTIVE');
  });
});

describe('worker lifecycle: shutdown hand-back and time limits', () => {
  let h: RunsHarness;
  let acme: TestOrganization;
  let scheduler: INestApplicationContext;

  beforeAll(async () => {
    h = await RunsHarness.start();
    acme = await h.organization('acme');
    scheduler = await h.startScheduler();
  });

  it('hands a running sync back at a page boundary on shutdown; another worker resumes it and writes nothing twice', async () => {
    h.tool.setLatency(150);
    const first = await h.startWorker();
    const installation = await h.install(acme);
    const [run] = await h.runs(installation.id);
    await h.until('the first pages to load', async () => {
      const rows = await adminQuery(h.api.db, 'SELECT 1 FROM entities WHERE installation_id = $1', [installation.id]);
      return rows.length ? true : undefined;
    });
    const closing = performance.now();
    await h.stop(first);
    expect(performance.now() - closing).toBeLessThan(5_000); // a page, not the whole run
    expect((await h.runs(installation.id))[0]).toMatchObject({ status: 'running', attempt: 1 });

    h.tool.setLatency(0);
    const second = await h.startWorker();
    const finished = await h.ended(installation.id, run!.id);
    expect(finished).toMatchObject({ status: 'completed', attempt: 2, deleted: 0 });
    const entities = await adminQuery<{ rewritten: string; total: string }>(
      h.api.db,
      'SELECT count(*) FILTER (WHERE updated_at <> created_at) AS rewritten, count(*) AS total FROM entities WHERE installation_id = $1',
      [installation.id],
    );
    expect(entities[0]).toEqual({ rewritten: '0', total: String(3 + 10 + 30) });
    await h.stop(second);
  });

  it('aborts a run that exceeds its time limit, deleting nothing', async () => {
    const normal = await h.startWorker();
    const installation = await h.install(acme);
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);
    await h.stop(normal);
    const slow = await h.startWorker({ RUN_TIMEOUT_SECONDS: '1' });
    h.tool.setLatency(400);
    h.tool.remove('deployment', [3, 25]); // a complete run would delete these
    try {
      const accepted = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
      const finished = await h.ended(installation.id, accepted.body.run.id);
      expect(finished).toMatchObject({
        status: 'aborted',
        error_code: 'RUN_TIMED_OUT',
        deleted: 0,
        deletion_decision: 'skipped',
      });
    } finally {
      h.tool.setLatency(0);
      await h.stop(slow);
    }
    // Without the limit, the same resync completes and deletes what the tool no longer has.
    await h.startWorker();
    const complete = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
    expect(await h.ended(installation.id, complete.body.run.id)).toMatchObject({ status: 'completed', deleted: 2 });
    h.tool.restore('deployment');
  });

  it('ends a run whose job is gone (its worker kept dying), so the installation can sync again', async () => {
    await h.stopWorkers();
    const installation = await h.install(acme);
    const [installed] = await h.runs(installation.id); // no worker yet: it stays pending, then is made "running"
    await adminQuery(
      h.api.db,
      `UPDATE sync_runs SET status = 'running', attempt = 3, started_at = now() - interval '2 hours' WHERE id = $1`,
      [installed!.id],
    );
    await scheduler.get(SyncRunQueue).queue.remove(`run-${installed!.id}`);
    expect(await scheduler.get(Dispatcher).sweep()).toMatchObject({ ended: 1 });
    expect((await h.runs(installation.id))[0]).toMatchObject({ status: 'failed', error_code: 'INTERNAL', deleted: 0 });
    const again = await h.api.request('POST', `/v1/installations/${installation.id}/resync`, { token: acme.token });
    expect(again.status).toBe(202);
  });
  afterAll(() => h.close());
});
