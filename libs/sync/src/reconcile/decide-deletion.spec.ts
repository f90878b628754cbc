import { describe, expect, it } from 'vitest';
import type { OwnedBlueprintStats } from '@mooring/persistence';
import { decideDeletion, type DeletionInput, type ResourceOutcome } from './decide-deletion.js';

/** A small deterministic generator (mulberry32), so a failing case can be replayed by its seed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  input: DeletionInput;
  /** Why deletion must not happen, or null when the run is clean and within the threshold. */
  unsafe: string | null;
}

function scenario(seed: number): Scenario {
  const next = random(seed);
  const pick = (p: number) => next() < p;
  const resourceCount = Math.floor(next() * 4);
  const aborted = pick(0.1);
  const lastFetched = new Map<string, number>();
  const outcomes: ResourceOutcome[] = [];
  const ran = aborted && pick(0.5) ? Math.floor(next() * resourceCount) : resourceCount;
  for (let i = 0; i < ran; i++) {
    const key = `kind${i}-${i}`;
    const last = pick(0.7) ? 1 + Math.floor(next() * 100) : 0;
    lastFetched.set(key, last);
    outcomes.push({
      key,
      status: pick(0.1) ? 'failed' : 'completed',
      counts: {
        fetched: pick(0.1) ? 0 : Math.floor(next() * 120),
        fetchFailed: pick(0.05) ? 1 : 0,
        transformFailed: pick(0.1) ? 1 + Math.floor(next() * 3) : 0,
      },
    });
  }
  const maxFetchDrop = Math.round(next() * 10) / 10;
  const acceptFetchDrop = pick(0.2);
  const threshold = Math.round(next() * 10) / 10;
  const stats: OwnedBlueprintStats[] = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, i) => {
    const owned = Math.floor(next() * 50);
    return { blueprint: `bp${i}`, owned, unseen: Math.floor(next() * (owned + 1)), deferred: 0 };
  });
  const statsFail = pick(0.05);

  const dropped = (o: ResourceOutcome) => {
    const last = lastFetched.get(o.key) ?? 0;
    return last > 0 && (o.counts.fetched === 0 || (last - o.counts.fetched) / last > maxFetchDrop);
  };
  let unsafe: string | null = null;
  if (aborted) unsafe = 'aborted';
  else if (resourceCount === 0) unsafe = 'empty mapping';
  else if (outcomes.some((o) => o.status !== 'completed')) unsafe = 'extract failed';
  else if (outcomes.some((o) => o.counts.fetchFailed > 0)) unsafe = 'fetch failed';
  else if (outcomes.some((o) => o.counts.transformFailed > 0)) unsafe = 'transform failed';
  else if (!acceptFetchDrop && outcomes.some(dropped)) unsafe = 'dropped';
  else if (statsFail) unsafe = 'owned state unreadable';
  else if (stats.some((s) => s.owned > 0 && s.unseen / s.owned > threshold)) unsafe = 'threshold';

  return {
    input: {
      aborted,
      resourceCount,
      outcomes,
      lastFetched,
      maxFetchDrop,
      acceptFetchDrop,
      threshold,
      stats: () => (statsFail ? Promise.reject(new Error('connection lost')) : Promise.resolve(stats)),
    },
    unsafe,
  };
}

describe('decideDeletion', () => {
  it('deletes nothing in 2,000 randomized runs whenever any guard applies, and decides the rest correctly', async () => {
    const counts = { unsafe: 0, deleted: 0, nothing: 0 };
    for (let seed = 1; seed <= 2_000; seed++) {
      const { input, unsafe } = scenario(seed);
      let decision: Awaited<ReturnType<typeof decideDeletion>> | 'threw';
      try {
        decision = await decideDeletion(input);
      } catch {
        decision = 'threw';
      }
      if (unsafe) {
        counts.unsafe++;
        // Unreadable owned state propagates as an error: the caller then records a failed run.
        expect(decision === 'threw' || decision.decision === 'skipped', `seed ${seed}: ${unsafe}`).toBe(true);
        // Counts of a run refused before the threshold are no baseline for the next run.
        if (decision !== 'threw') expect(decision.trustedCounts, `seed ${seed}`).toBe(unsafe === 'threshold');
      } else {
        expect(decision, `seed ${seed}`).not.toBe('threw');
        const expected = (await input.stats([])).some((s) => s.unseen > 0) ? 'delete' : 'nothing_to_delete';
        expect((decision as { decision: string }).decision, `seed ${seed}`).toBe(expected);
        expect((decision as { trustedCounts: boolean }).trustedCounts, `seed ${seed}`).toBe(true);
        if (expected === 'delete') counts.deleted++;
        else counts.nothing++;
      }
    }
    // The generator exercises every branch, not just the easy ones.
    expect(counts.unsafe).toBeGreaterThan(500);
    expect(counts.deleted).toBeGreaterThan(50);
    expect(counts.nothing).toBeGreaterThan(5);
  });

  it('names the first failing rule as the reason', async () => {
    const base: DeletionInput = {
      aborted: false,
      resourceCount: 1,
      outcomes: [{ key: 'repo-0', status: 'completed', counts: { fetched: 0, fetchFailed: 0, transformFailed: 0 } }],
      lastFetched: new Map([['repo-0', 12]]),
      maxFetchDrop: 0.5,
      acceptFetchDrop: false,
      threshold: 0.9,
      stats: () => Promise.resolve([]),
    };
    expect(await decideDeletion(base)).toEqual({
      decision: 'skipped',
      reason: 'resource repo-0 returned 0 items but had 12 in the last trusted run',
      details: { fetchDrop: { resource: 'repo-0', fetched: 0, previous: 12, drop: 1, maxFetchDrop: 0.5 } },
      trustedCounts: false,
    });
    expect(await decideDeletion({ ...base, resourceCount: 2 })).toEqual({
      decision: 'skipped',
      reason: 'not every resource ran',
      trustedCounts: false,
    });
    const unread = [{ key: 'repo-0', status: 'completed' as const, counts: { fetched: 12, fetchFailed: 1, transformFailed: 0 } }];
    expect(await decideDeletion({ ...base, outcomes: unread })).toMatchObject({
      decision: 'skipped',
      reason: 'resource repo-0 counted 1 failure(s) to fetch',
    });
    const shrunk = [{ key: 'repo-0', status: 'completed' as const, counts: { fetched: 5, fetchFailed: 0, transformFailed: 0 } }];
    expect(await decideDeletion({ ...base, outcomes: shrunk })).toMatchObject({
      decision: 'skipped',
      reason: 'resource repo-0 fetched 5 items, 58.3% fewer than the 12 of the last trusted run (maxFetchDrop 0.5)',
    });
    // The user accepted the drop: that rule (and only it) is lifted for this run.
    expect(await decideDeletion({ ...base, outcomes: shrunk, acceptFetchDrop: true })).toMatchObject({
      decision: 'nothing_to_delete',
      details: { acceptFetchDrop: true },
      trustedCounts: true,
    });
    expect(await decideDeletion({ ...base, outcomes: unread, acceptFetchDrop: true })).toMatchObject({ decision: 'skipped' });
  });

  it('lets a run with a skipped (unavailable) resource delete, never counting what that resource wrote', async () => {
    const asked: string[][] = [];
    const input: DeletionInput = {
      aborted: false,
      resourceCount: 2,
      outcomes: [
        { key: 'user-0', status: 'completed', counts: { fetched: 10, fetchFailed: 0, transformFailed: 0 } },
        { key: 'team-1', status: 'skipped', counts: { fetched: 0, fetchFailed: 0, transformFailed: 0 } },
      ],
      // The skipped resource listed 7 last time: fetching none now is no drop, it did not list.
      lastFetched: new Map([
        ['user-0', 10],
        ['team-1', 7],
      ]),
      maxFetchDrop: 0.5,
      acceptFetchDrop: false,
      threshold: 0.9,
      stats: (kept) => {
        asked.push([...kept]);
        return Promise.resolve([{ blueprint: 'jiraUser', owned: 11, unseen: 1, deferred: 0 }]);
      },
    };
    expect(await decideDeletion(input)).toMatchObject({ decision: 'delete', trustedCounts: true });
    expect(asked).toEqual([['team-1']]);
    // A failed resource still refuses, skipped or not.
    const failed = { key: 'user-0', status: 'failed' as const, counts: { fetched: 0, fetchFailed: 1, transformFailed: 0 } };
    expect(await decideDeletion({ ...input, outcomes: [failed, input.outcomes[1]!] })).toMatchObject({
      decision: 'skipped',
      reason: 'resource user-0 failed to extract',
    });
  });
});
