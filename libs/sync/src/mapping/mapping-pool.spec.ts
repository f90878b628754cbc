import { afterAll, describe, expect, it } from 'vitest';
import { MappingPool } from './mapping-pool.js';
import { mappingSchema } from './mapping.schema.js';

// The pool stops what no in-thread limit can: a synchronous jq program that never ends is
// terminated with its thread, the thread is replaced, and the page's other items still map.

const pool = new MappingPool({ threads: 1, pageMs: 1_500, itemMs: 1_500 });
afterAll(() => pool.close());

const jqMapping = (identifier: string) => {
  const config = mappingSchema.parse({
    language: 'jq',
    resources: [{ kind: 'x', port: { entity: { mappings: { identifier, blueprint: '"b"' } } } }],
  });
  return { hash: `jq:${identifier}`, config };
};

describe('MappingPool', () => {
  it('maps a page of items in a worker thread', async () => {
    const page = await pool.mapPage(jqMapping('.id'), 0, [{ id: 'a' }, { id: 'b' }]);
    expect(page.outcomes.map((o) => o.outcome === 'entity' && o.entity.identifier)).toEqual(['a', 'b']);
  });

  it('terminates a runaway jq program at the time limit, replaces the thread, and maps the other items', async () => {
    const runaway = jqMapping('if .spin then (0 | until(. < 0; . + 1)) else .id end');
    await pool.mapPage(runaway, 0, [{ id: 'warm' }]);
    const before = pool.threadIds;
    const page = await pool.mapPage(runaway, 0, [{ id: 'a' }, { id: 'b', spin: true }, { id: 'c' }]);
    expect(page.outcomes).toEqual([
      expect.objectContaining({ item: 0, outcome: 'entity', entity: expect.objectContaining({ identifier: 'a' }) }),
      { item: 1, outcome: 'failed', code: 'TIME_LIMIT', reason: expect.stringMatching(/^the evaluation took more than \d+ ms$/) },
      expect.objectContaining({ item: 2, outcome: 'entity', entity: expect.objectContaining({ identifier: 'c' }) }),
    ]);
    expect(page.stopped).toBeUndefined();
    // The thread that ran the program is gone; a new one maps the next page.
    const after = await pool.mapPage(runaway, 0, [{ id: 'd' }]);
    expect(after.outcomes).toEqual([expect.objectContaining({ outcome: 'entity' })]);
    expect(pool.threadIds.some((id) => before.includes(id))).toBe(false);
  });

  it('stops the resource when items keep overrunning, without evaluating the rest of the page', async () => {
    const spin = jqMapping('0 | until(. < 0; . + 1)');
    const page = await pool.mapPage(spin, 0, [{}, {}, {}, {}, {}], { timeLimitMs: 8_000 });
    expect(page.outcomes.map((o) => (o.outcome === 'failed' ? o.code : o.outcome))).toEqual([
      'TIME_LIMIT',
      'TIME_LIMIT',
      'TIME_LIMIT',
      'NOT_EVALUATED',
      'NOT_EVALUATED',
    ]);
    expect(page.stopped).toMatch(/overran its time limit on 3 items/);
  });

  it('stops an evaluation that allocates without end (heap or time, whichever comes first), not the process', async () => {
    const hogs = [
      mappingSchema.parse({
        resources: [
          {
            kind: 'x',
            port: {
              entity: {
                mappings: { identifier: '$join($map([1..99999], function($i) { $pad("", 999999, "x") }))', blueprint: '"b"' },
              },
            },
          },
        ],
      }),
      jqMapping('[range(1e9)] | length').config,
    ];
    for (const [index, config] of hogs.entries()) {
      const page = await pool.mapPage({ hash: `hog${index}`, config }, 0, [{}]);
      expect(page.outcomes).toEqual([
        expect.objectContaining({ item: 0, outcome: 'failed', code: expect.stringMatching(/^(SIZE_LIMIT|TIME_LIMIT)$/) }),
      ]);
    }
    const next = await pool.mapPage(jqMapping('.id'), 0, [{ id: 'z' }]);
    expect(next.outcomes).toEqual([expect.objectContaining({ outcome: 'entity' })]);
  });
});
