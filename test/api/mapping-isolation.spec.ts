import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// One organization attacks the mapping test with what froze the whole api before (a backtracking
// regular expression, a huge range, a huge pad, a jq program that never ends) while another
// organization keeps using the api. The other organization's requests keep answering (a generous
// bound: the point is that the api stays responsive, on a loaded machine too), and every attack
// ends with a coded error (or, for the regex, a correct answer in linear time).

const blueprint = { identifier: 'thing', title: 'Thing', schema: { properties: { note: { type: 'string' } } } };
const jsonataMapping = (mappings: Record<string, unknown>, port: Record<string, unknown> = {}) => ({
  resources: [
    { kind: 'thing', port: { ...port, entity: { mappings: { identifier: 'id', blueprint: '"thing"', ...mappings } } } },
  ],
});

describe('mapping evaluation cannot slow down another organization', () => {
  let api: TestApi;
  let attacker: TestOrganization;
  let bystander: TestOrganization;

  beforeAll(async () => {
    api = await TestApi.start();
    attacker = await api.createOrganization('attacker');
    bystander = await api.createOrganization('bystander');
    for (const org of [attacker, bystander]) {
      expect((await api.request('POST', '/v1/blueprints', { token: org.token, body: blueprint })).status).toBe(201);
    }
  });
  afterAll(() => api.close());

  const test = (org: TestOrganization, mapping: unknown, samples: unknown[]) =>
    api.request('POST', '/v1/mappings/test', { token: org.token, body: { mapping, samples: { thing: samples } } });

  /** Sequential requests of the bystander until `done`, each one's latency in ms. */
  async function probe(done: () => boolean): Promise<number[]> {
    const latencies: number[] = [];
    while (!done()) {
      for (const path of ['/v1/blueprints', '/health/live']) {
        const started = performance.now();
        const response = await api.request('GET', path, { token: bystander.token });
        latencies.push(performance.now() - started);
        expect(response.status).toBe(200);
      }
    }
    return latencies;
  }

  it('keeps answering the other organization while the attacks run, and ends each attack with a code', async () => {
    let attacking = true;
    const probing = probe(() => !attacking);
    const attacks = (async () => {
      const results: Record<string, { status: number; body: any; headers: Headers }> = {};
      // The regular expression that took 47 s on V8: on RE2 it answers, correctly, at once.
      results['regex'] = await test(attacker, jsonataMapping({ properties: { note: '$string($contains(name, /^(a+)+$/))' } }), [
        { id: 'r', name: `${'a'.repeat(31)}!` },
      ]);
      // itemsToParse over a range of a million (28 s before).
      results['range'] = await test(attacker, jsonataMapping({ identifier: '$string(item)' }, { itemsToParse: '[1..999999]' }), [
        { id: 'x' },
      ]);
      // $pad to 100 MB (1.45 GB of memory and a 100 MB response before).
      results['pad'] = await test(attacker, jsonataMapping({ properties: { note: '$pad("x", 100000000)' } }), [{ id: 'p' }]);
      // A synchronous jq program that never ends: its thread is terminated at the request's budget.
      results['jq'] = await test(
        attacker,
        {
          language: 'jq',
          resources: [
            { kind: 'thing', port: { entity: { mappings: { identifier: '0 | until(. < 0; . + 1)', blueprint: '"thing"' } } } },
          ],
        },
        [{ id: 'j' }],
      );
      // Patterns that need backtracking are refused when the mapping is read.
      results['backreference'] = await test(
        attacker,
        jsonataMapping({ properties: { note: '$string($contains(name, /(a+)\\1$/))' } }),
        [{ id: 'b' }],
      );
      results['jqRegex'] = await test(
        attacker,
        {
          language: 'jq',
          resources: [
            {
              kind: 'thing',
              port: {
                entity: {
                  mappings: {
                    identifier: '.id',
                    blueprint: '"thing"',
                    properties: { note: '.name | test("^(a+)+$") | tostring' },
                  },
                },
              },
            },
          ],
        },
        [{ id: 'q', name: 'aaaa' }],
      );
      return results;
    })();
    // Meanwhile the bystander's own mapping test runs on the pool's other thread.
    const ownStarted = performance.now();
    const own = await test(bystander, jsonataMapping({ properties: { note: 'name' } }), [{ id: 'mine', name: 'ok' }]);
    const ownMs = performance.now() - ownStarted;
    const results = await attacks.finally(() => (attacking = false));
    const latencies = await probing;

    expect(own.status).toBe(200);
    expect(own.body.resources[0].results).toEqual([
      expect.objectContaining({ outcome: 'entity', entity: expect.objectContaining({ identifier: 'mine' }) }),
    ]);

    expect(results['regex']!.status).toBe(200);
    expect(results['regex']!.body.resources[0].results).toEqual([
      expect.objectContaining({ outcome: 'entity', entity: expect.objectContaining({ properties: { note: 'false' } }) }),
    ]);
    const failure = (name: string) => results[name]!.body.resources[0].results[0];
    expect(results['range']!.status).toBe(200);
    expect(failure('range')).toEqual({
      item: 0,
      outcome: 'failed',
      error: expect.objectContaining({ code: 'SIZE_LIMIT', field: 'resources[0].port.itemsToParse' }),
    });
    expect(failure('pad')).toEqual({
      item: 0,
      outcome: 'failed',
      error: expect.objectContaining({ code: 'SIZE_LIMIT', reason: expect.stringMatching(/^\$pad width/) }),
    });
    expect(failure('jq')).toEqual({ item: 0, outcome: 'failed', error: expect.objectContaining({ code: 'TIME_LIMIT' }) });
    for (const name of ['backreference', 'jqRegex']) {
      expect(results[name]!.status, name).toBe(400);
      expect(results[name]!.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { fields: [{ field: 'resources[0].port.entity.mappings.properties.note' }] },
      });
    }

    const sorted = [...latencies].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const worst = sorted[sorted.length - 1]!;
    process.stderr.write(
      `[mapping isolation] bystander: ${latencies.length} requests during the attacks, median ${median.toFixed(0)} ms, worst ${worst.toFixed(0)} ms; own mapping test ${ownMs.toFixed(0)} ms\n`,
    );
    // Before, the api answered nothing for 28 to 47 s. The bounds leave room for a loaded 2-core box.
    expect(latencies.length).toBeGreaterThan(10);
    expect(median).toBeLessThan(500);
    expect(worst).toBeLessThan(2_500);
    expect(ownMs).toBeLessThan(4_000);
  });

  it('answers 429 with Retry-After when an organization runs tests concurrently beyond its share', async () => {
    const spin = {
      language: 'jq',
      resources: [
        { kind: 'thing', port: { entity: { mappings: { identifier: '0 | until(. < 0; . + 1)', blueprint: '"thing"' } } } },
      ],
    };
    const responses = await Promise.all([test(attacker, spin, [{}]), test(attacker, spin, [{}]), test(attacker, spin, [{}])]);
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    for (const response of limited) {
      expect(response.body.error.code).toBe('RATE_LIMITED');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    // Another organization is not affected by the attacker's share.
    expect((await test(bystander, jsonataMapping({}), [{ id: 'b' }])).status).toBe(200);
  });
});
