import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackServer, sendJson } from '@mooring/integrations/testing';
import { FAKE_TOKEN, RunsHarness } from '../support/runs-harness.js';
import type { TestOrganization } from '../support/test-api.js';

// Tools that answer carelessly or with hostile intent, met by a worker as production builds it:
// a `next` link to another host, a page larger than the response cap, a page that trickles in.
describe('a careless or hostile tool, met by a worker', () => {
  let h: RunsHarness;
  let acme: TestOrganization;
  let elsewhere: LoopbackServer;

  /** A fresh installation whose first (healthy) run has ended. */
  const installed = async () => {
    const installation = await h.install(acme);
    await h.ended(installation.id, (await h.runs(installation.id))[0]!.id);
    return installation.id;
  };
  const resync = async (installationId: string) => {
    const accepted = await h.api.request('POST', `/v1/installations/${installationId}/resync`, { token: acme.token });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    return h.ended(installationId, accepted.body.run.id as string);
  };
  const resource = async (installationId: string, kind: string) => {
    const status = await h.api.request('GET', `/v1/installations/${installationId}/sync-status`, { token: acme.token });
    return (status.body.run.resources as Array<{ kind: string; status: string; error: string | null }>).find(
      (r) => r.kind === kind,
    )!;
  };

  beforeAll(async () => {
    elsewhere = await LoopbackServer.start((_request, response) => sendJson(response, 200, { items: [], next: null }));
    h = await RunsHarness.start({ RUN_TIMEOUT_SECONDS: '3', OUTBOUND_MAX_RESPONSE_BYTES: '200000' });
    acme = await h.organization('acme');
    await h.startScheduler();
    await h.startWorker();
  });
  afterEach(() => {
    for (const kind of ['team', 'service', 'deployment'] as const) h.tool.misbehave(kind, null);
    h.tool.restore('deployment');
  });
  afterAll(async () => {
    await h.close();
    await elsewhere.close();
  });

  it('never follows a next link to another host: the token stays with the tool, the kind fails, nothing is deleted', async () => {
    const installationId = await installed();
    h.tool.remove('deployment', [25]); // a complete run would delete it
    h.tool.misbehave('deployment', { nextOrigin: elsewhere.origin });
    const run = await resync(installationId);
    expect(run).toMatchObject({ status: 'failed', deleted: 0, attempt: 1 });
    expect((await resource(installationId, 'deployment')).error).toMatch(
      /^UPSTREAM_FAILED: The fake tool sent a link outside its API/,
    );
    expect(elsewhere.requests).toEqual([]);
    expect(JSON.stringify(h.logs)).not.toContain(FAKE_TOKEN);
  });

  it('refuses a page larger than OUTBOUND_MAX_RESPONSE_BYTES with a coded error, without retrying, deleting nothing', async () => {
    const installationId = await installed();
    h.tool.remove('deployment', [25]);
    h.tool.misbehave('service', { padBytes: 300_000 });
    const run = await resync(installationId);
    expect(run).toMatchObject({ status: 'failed', deleted: 0, attempt: 1 });
    expect((await resource(installationId, 'service')).error).toMatch(
      /^UPSTREAM_RESPONSE_TOO_LARGE: .* sent a response larger than 200000 bytes \(OUTBOUND_MAX_RESPONSE_BYTES\)/,
    );
    // The other kinds went on.
    expect(await resource(installationId, 'deployment')).toMatchObject({ status: 'completed', error: null });
  });

  it('ends a run whose tool trickles a page in at the run’s time limit, not when the page is finally complete', async () => {
    const installationId = await installed();
    // About 400 bytes at a byte every 100 ms: 40 s for the first page, beyond both the run's
    // 3-second limit and the 30-second request timeout.
    h.tool.misbehave('team', { dripMs: 100 });
    const run = await resync(installationId);
    expect(run).toMatchObject({ status: 'aborted', error_code: 'RUN_TIMED_OUT', deleted: 0 });
    // Cut off by the deadline mid-read, well before the page (or the request timeout) could end.
    expect(run.finished_at!.getTime() - run.started_at!.getTime()).toBeLessThan(20_000);
  });
});
