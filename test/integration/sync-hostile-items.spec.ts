import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationConnection } from '@mooring/integrations';
import { fakeItem } from '@mooring/integrations/testing';
import type { SyncRunRecord } from '@mooring/persistence';
import type { ConnectionProvider } from '@mooring/sync';
import { adminQuery } from '../support/admin-query.js';
import { FAKE_TOKEN, SyncHarness } from '../support/sync-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// What a tool sends can fail its own item, never the run: text PostgreSQL cannot hold, keys that
// cannot be stored, values it refuses, and pages of any size. The fake tool answers over loopback
// HTTP; a tampering fetch rewrites its pages the way a real tool's data can look.

type Page = { items: Array<Record<string, unknown>>; next: string | null };

/** A connection whose fetch lets `rewrite` change each listing page of the fake tool. */
function tampering(rewrite: (kind: string, page: Page) => Page): ConnectionProvider {
  return (record, signal) =>
    Promise.resolve({
      settings: record.settings,
      accessToken: () => Promise.resolve(FAKE_TOKEN),
      signal,
      async fetch(url, init) {
        const response = await fetch(url, init);
        const kind = /\/api\/v1\/(\w+)s$/.exec(new URL(url).pathname)?.[1];
        if (!kind || !response.ok) return response;
        const page = rewrite(kind, (await response.json()) as Page);
        return new Response(JSON.stringify(page), { status: 200, headers: { 'content-type': 'application/json' } });
      },
    } satisfies IntegrationConnection);
}

const resource = (run: SyncRunRecord, kind: string) => run.resources.find((r) => r.kind === kind)!;

describe('sync engine: hostile items', () => {
  let db: TestDatabase;
  const harnesses: SyncHarness[] = [];
  const harness = async (counts: { team: number; service: number; deployment: number }) => {
    const h = await SyncHarness.start({ databaseUrl: db.appUrl, fake: { counts } });
    harnesses.push(h);
    return h;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const h of harnesses) await h.close();
    await db.drop();
  });

  it('stores text holding NUL or lone surrogates cleaned, and fails only the items whose keys hold them, naming the field', async () => {
    const h = await harness({ team: 3, service: 8, deployment: 0 });
    const run = await h.sync({
      deps: {
        connect: tampering((kind, page) => {
          if (kind !== 'service') return page;
          const items = page.items.map((item) => {
            switch (item['id']) {
              case 'svc-1': // a GitHub issue body can hold NUL
                return { ...item, description: 'before\u0000after' };
              case 'svc-2':
                return { ...item, id: 'svc-2\u0000' };
              case 'svc-3':
                return { ...item, name: 'Service \ud800 three' };
              case 'svc-4':
                return { ...item, tags: ['a\u0000b', 'c'] };
              case 'svc-5':
                return { ...item, team_id: 'team-\u00000' };
              case 'svc-6': // longer than PostgreSQL's index holds (3 bytes a character in UTF-8)
                return { ...item, id: '界'.repeat(900) };
              default:
                return item;
            }
          });
          return { ...page, items };
        }),
      },
    });

    expect(run.status).toBe('completed');
    expect(run.errorCode).toBeNull();
    expect(resource(run, 'service')).toMatchObject({
      status: 'completed',
      fetched: 8,
      transformed: 8,
      ingested: 5,
      ingestFailed: 3,
    });
    expect(resource(run, 'service').errorSamples).toEqual(
      expect.arrayContaining([
        {
          phase: 'load',
          identifier: 'svc-2\\u0000',
          field: 'identifier',
          reason: 'identifier must not contain the NUL character (\\u0000)',
        },
        {
          phase: 'load',
          identifier: 'svc-5',
          field: 'relations.team',
          reason: 'relations.team must not contain the NUL character (\\u0000)',
        },
        {
          phase: 'load',
          identifier: '界'.repeat(900),
          field: 'identifier',
          reason: 'identifier must be at most 2,000 bytes as UTF-8',
        },
      ]),
    );
    const stored = await adminQuery<{ identifier: string; title: string; properties: Record<string, unknown> }>(
      db,
      `SELECT identifier, title, properties FROM entities WHERE blueprint = 'fakeService' ORDER BY identifier`,
    );
    expect(stored.map((row) => row.identifier)).toEqual(['svc-0', 'svc-1', 'svc-3', 'svc-4', 'svc-7']);
    expect(stored.find((row) => row.identifier === 'svc-1')!.properties['description']).toBe('beforeafter');
    expect(stored.find((row) => row.identifier === 'svc-3')!.title).toBe('Service \uFFFD three');
    expect(stored.find((row) => row.identifier === 'svc-4')!.properties['tags']).toEqual(['ab', 'c']);
    // The raw samples kept for mapping tests hold the same items, made storable.
    const [samples] = await adminQuery<{ items: Array<Record<string, unknown>> }>(
      db,
      `SELECT items FROM raw_samples WHERE kind = 'service'`,
    );
    expect(samples!.items.map((item) => item['id'])).toEqual(['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4']);
    expect(samples!.items[1]!['description']).toBe('beforeafter');
  });

  it('fails only the entity whose data PostgreSQL refuses, and writes the rest of its batch', async () => {
    const h = await harness({ team: 3, service: 10, deployment: 0 });
    // A value no check foresaw: the real database refuses one row, as it would an unforeseen value.
    await adminQuery(
      db,
      `CREATE FUNCTION refuse_poisoned_entity() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.title = 'poisoned' THEN RAISE EXCEPTION 'this value cannot be stored' USING ERRCODE = '22023'; END IF;
         RETURN NEW;
       END $$;
       CREATE TRIGGER refuse_poisoned_entity BEFORE INSERT OR UPDATE ON entities
         FOR EACH ROW EXECUTE FUNCTION refuse_poisoned_entity();`,
    );
    try {
      const run = await h.sync({
        deps: {
          connect: tampering((kind, page) =>
            kind === 'service'
              ? { ...page, items: page.items.map((item) => (item['id'] === 'svc-4' ? { ...item, name: 'poisoned' } : item)) }
              : page,
          ),
        },
      });
      expect(run.status).toBe('completed');
      expect(resource(run, 'service')).toMatchObject({ ingested: 9, ingestFailed: 1 });
      expect(resource(run, 'service').errorSamples).toEqual([
        { phase: 'load', identifier: 'svc-4', reason: 'PostgreSQL refused the entity (22023): this value cannot be stored' },
      ]);
      expect(await h.identifiers('fakeService')).toEqual([
        'svc-0',
        'svc-1',
        'svc-2',
        'svc-3',
        'svc-5',
        'svc-6',
        'svc-7',
        'svc-8',
        'svc-9',
      ]);
    } finally {
      await adminQuery(db, 'DROP TRIGGER refuse_poisoned_entity ON entities; DROP FUNCTION refuse_poisoned_entity()');
    }
  });

  it('loads a page of 130,001 items: pages of any size stream through', { timeout: 600_000 }, async () => {
    const size = 130_001;
    const counts = { team: size, service: 0, deployment: 0 };
    const h = await harness(counts);
    const run = await h.sync({
      deps: {
        connect: tampering((kind, page) =>
          kind === 'team'
            ? { items: Array.from({ length: size }, (_, index) => fakeItem('team', index, counts, 0)), next: null }
            : page,
        ),
      },
    });
    expect(run.status).toBe('completed');
    expect(resource(run, 'team')).toMatchObject({
      status: 'completed',
      fetched: size,
      transformed: size,
      ingested: size,
      ingestFailed: 0,
    });
    const [count] = await adminQuery<{ n: number }>(
      db,
      `SELECT count(*)::int AS n FROM entities WHERE org_id = $1 AND blueprint = 'fakeTeam'`,
      [h.orgId],
    );
    expect(count).toEqual({ n: size });
  });
});
