import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { SyncHarness } from '../support/sync-harness.js';

describe('smoke', () => {
  let testDb: TestDatabase;
  let h: SyncHarness;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    h = await SyncHarness.start({ databaseUrl: testDb.appUrl });
  });
  afterAll(async () => {
    await h.close();
    await testDb.drop();
  });
  it('runs', async () => {
    const run = await h.sync();
    console.log(JSON.stringify(run, null, 1));
    const run2 = await h.sync();
    console.log(JSON.stringify(run2.resources.map((r) => [r.ingested, r.notChanged, r.ingestFailed]), null, 0), run2.deletionDecision, run2.deletionReason);
    expect(run.status).toBe('completed');
  });
});
