import { relationTargets } from '@mooring/catalog';
import type { ErrorSample, SyncEntityInput, SyncWriter } from '@mooring/persistence';
import { keyOf, type RunLoadContext } from '../load/resource-loader.js';
import { MAX_ERROR_SAMPLES } from '../tally/resource-tally.js';

const PAGE = 500;
/** Passes over the parked entities; each pass can unblock the next link of a relation chain. */
const MAX_PASSES = 20;

export interface ReingestResult {
  readonly reingested: number;
  readonly reingestFailed: number;
  /** The first failures per resource index. */
  readonly samples: ReadonlyMap<number, ErrorSample[]>;
}

/**
 * Retries the entities parked because a related entity did not exist (createMissingRelatedEntities
 * off), once every resource has loaded: pass after pass, writing those whose targets now exist,
 * until a pass writes nothing. What is left failed reingestion. Parked entities live in the
 * database, so a crash loses none and memory holds one page.
 */
export async function reingestPending(
  context: RunLoadContext,
  writers: ReadonlyMap<number, SyncWriter>,
  signal: AbortSignal,
): Promise<ReingestResult> {
  const { orgId, runId, catalog, blueprints } = context;
  let reingested = 0;
  for (let pass = 0; pass < MAX_PASSES && !signal.aborted; pass++) {
    let progressed = false;
    for (let page = await catalog.pendingPage(orgId, runId, null, PAGE); page.length;) {
      const entities = page.map((pending) => ({ pending, entity: pending.entity as SyncEntityInput }));
      await blueprints.load(new Set(entities.map(({ entity }) => entity.blueprint)));
      const written = await catalog.inBatch(orgId, async (session) => {
        const targets = entities.flatMap(({ entity }) => relationTargets(blueprints.get(entity.blueprint)!, entity.relations));
        const missing = new Set((await session.findMissing(targets)).map(keyOf));
        const ready = entities.filter(
          ({ entity }) =>
            !relationTargets(blueprints.get(entity.blueprint)!, entity.relations).some((t) => missing.has(keyOf(t))),
        );
        for (const [resourceIndex, writer] of writers) {
          const batch = ready.filter(({ pending }) => pending.resourceIndex === resourceIndex).map(({ entity }) => entity);
          if (batch.length) await session.write(writer, batch, { merge: context.merge, placeholders: [] });
        }
        await session.removePending(
          runId,
          ready.map(({ entity }) => entity),
        );
        return ready.length;
      });
      reingested += written;
      progressed ||= written > 0;
      const last = page.at(-1)!;
      page = page.length < PAGE ? [] : await catalog.pendingPage(orgId, runId, last, PAGE);
    }
    if (!progressed) break;
  }

  let reingestFailed = 0;
  const samples = new Map<number, ErrorSample[]>();
  for (let page = await catalog.pendingPage(orgId, runId, null, PAGE); page.length;) {
    reingestFailed += page.length;
    for (const pending of page) {
      const list = samples.get(pending.resourceIndex) ?? [];
      if (list.length < MAX_ERROR_SAMPLES) {
        list.push({ phase: 'reingest', reason: 'a related entity still does not exist', identifier: pending.identifier });
      }
      samples.set(pending.resourceIndex, list);
    }
    page = page.length < PAGE ? [] : await catalog.pendingPage(orgId, runId, page.at(-1)!, PAGE);
  }
  return { reingested, reingestFailed, samples };
}
