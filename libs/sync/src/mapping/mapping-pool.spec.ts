import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MappingPool } from './mapping-pool.js';
import { mappingSchema } from './mapping.schema.js';

// The pool stops what no in-thread limit can: a synchronous jq program that never ends is
// terminated with its thread, the thread is replaced, and the page's other items still map.
// Limits count the thread's CPU time, which a loaded machine hands out slowly: generous deadlines.

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
  }, 180_000);

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
  }, 180_000);

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
  }, 180_000);

  it.runIf(fs.existsSync('/proc/thread-self/stat'))(
    "counts the thread's CPU time, so a page on a starved machine is not stopped for the time it waited",
    async () => {
      // A process stopped (SIGSTOP) right after it hands a page to its pool is starved outright: no
      // CPU for longer than the page's limit. A wall-clock limit fails the page the moment it resumes.
      const dist = (file: string) => fileURLToPath(new URL(`../../dist/mapping/${file}`, import.meta.url));
      const script = `
        import { MappingPool } from ${JSON.stringify(dist('mapping-pool.js'))};
        import { mappingSchema } from ${JSON.stringify(dist('mapping.schema.js'))};
        const pool = new MappingPool({ threads: 1, pageMs: 500, itemMs: 500 });
        const config = mappingSchema.parse({
          language: 'jq',
          resources: [{ kind: 'x', port: { entity: { mappings: { identifier: '.id', blueprint: '"b"' } } } }],
        });
        const page = pool.mapPage({ hash: 'starved', config }, 0, [{ id: 'a' }]);
        process.kill(process.pid, 'SIGSTOP');
        process.stdout.write(JSON.stringify(await page));
        await pool.close();
      `;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      const state = () => fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.[0];
      for (const deadline = Date.now() + 60_000; state() !== 'T'; await sleep(20)) {
        if (Date.now() > deadline) throw new Error(`the child never stopped itself: ${output}`);
      }
      // Longer than the page's whole limit (500 + 3 × 500 ms), shorter than its wall backstop (10 times that).
      await sleep(4_000);
      child.kill('SIGCONT');
      expect(await exited, output).toBe(0);
      expect(JSON.parse(output)).toEqual({
        outcomes: [expect.objectContaining({ item: 0, outcome: 'entity', entity: expect.objectContaining({ identifier: 'a' }) })],
      });
    },
    90_000,
  );
});
