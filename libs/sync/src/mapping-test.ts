import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { EntityValidator } from '@mooring/catalog';
import type { JsonObject } from '@mooring/integrations';
import type { BlueprintRepository } from '@mooring/persistence';
import { DomainError, type FieldIssue } from '@mooring/platform';
import { BlueprintCache } from './map/blueprint-cache.js';
import {
  MappingPool,
  parseMapping,
  type FieldWarning,
  type ItemOutcome,
  type MappedEntity,
  type MappingErrorCode,
  type MappingOptions,
} from './mapping/index.js';

export interface MappingTestItem {
  /** Position of the sample item the result came from. */
  readonly item: number;
  readonly outcome: 'entity' | 'filtered' | 'failed';
  readonly entity?: MappedEntity;
  /** JQ leaves that failed and were set to null, as Port does. */
  readonly warnings?: readonly FieldWarning[];
  /** Why the item failed to map, or why the entity would fail validation against its blueprint. */
  readonly error?: {
    readonly code: MappingErrorCode;
    readonly reason: string;
    readonly field?: string;
    readonly issues?: readonly FieldIssue[];
  };
}

export interface MappingTestResult {
  readonly resources: ReadonlyArray<{
    readonly kind: string;
    readonly key: string;
    readonly results: readonly MappingTestItem[];
  }>;
}

/** What one mapping test may spend: evaluation time, and entities in the response. */
export const MAPPING_TEST_LIMITS = {
  /** Wall time of evaluation for one request, all resources together. */
  requestMs: 5_000,
  /** Entities in one response, as JSON. */
  responseBytes: 4 * 1_048_576,
  /** Evaluation time an organization may spend per minute (a bucket refilled continuously). */
  orgMsPerMinute: 20_000,
  /** The least left in the bucket to start a request. */
  orgMinimumMs: 1_000,
} as const;

/**
 * Maps sample items exactly as a sync would (itemsToParse, selector, the compiled mapping in a
 * worker thread, the blueprint's existence and validation) and reports, per item, the entity or
 * the error. Writes nothing. Bounded by MAPPING_TEST_LIMITS.requestMs of evaluation and
 * responseBytes of entities; items left over are reported NOT_EVALUATED. Throws VALIDATION_FAILED
 * when the mapping itself is invalid.
 */
export async function testMapping(
  input: unknown,
  samples: Readonly<Record<string, readonly JsonObject[]>>,
  context: { readonly orgId: string; readonly blueprints: Pick<BlueprintRepository, 'findMany'> } & MappingOptions,
): Promise<MappingTestResult> {
  const mapping = await parseMapping(input, context);
  const blueprints = new BlueprintCache(context.blueprints, context.orgId);
  const validator = new EntityValidator();
  const deadline = performance.now() + MAPPING_TEST_LIMITS.requestMs;
  let bytes = 0;
  const resources = [];
  for (const resource of mapping.resources) {
    const items = samples[resource.kind] ?? [];
    const left = deadline - performance.now();
    let outcomes: ItemOutcome[];
    if (!items.length) outcomes = [];
    else if (left <= 0)
      outcomes = items.map((_item, item) => ({ item, outcome: 'failed', code: 'NOT_EVALUATED', reason: SPENT }));
    else outcomes = (await resource.mapPage(items, { timeLimitMs: left })).outcomes;
    await blueprints.load(new Set(outcomes.flatMap((o) => (o.outcome === 'entity' ? [o.entity.blueprint] : []))));
    const results: MappingTestItem[] = [];
    for (const outcome of outcomes) {
      if (outcome.outcome === 'filtered') {
        results.push({ item: outcome.item, outcome: 'filtered' });
        continue;
      }
      if (outcome.outcome === 'failed') {
        const { item, code, reason, field } = outcome;
        results.push({ item, outcome: 'failed', error: { code, reason, ...(field ? { field } : {}) } });
        continue;
      }
      const { item, entity, warnings } = outcome;
      bytes += JSON.stringify(entity).length;
      if (bytes > MAPPING_TEST_LIMITS.responseBytes) {
        const reason = `the response is limited to ${MAPPING_TEST_LIMITS.responseBytes} bytes of entities`;
        results.push({ item, outcome: 'failed', error: { code: 'SIZE_LIMIT', reason } });
        continue;
      }
      const extra = warnings?.length ? { warnings } : {};
      const blueprint = blueprints.get(entity.blueprint);
      if (!blueprint) {
        results.push({
          item,
          outcome: 'failed',
          entity,
          ...extra,
          error: {
            code: 'INVALID_ENTITY',
            reason: `blueprint "${entity.blueprint}" does not exist`,
            field: `resources[${resource.index}].port.entity.mappings.blueprint`,
          },
        });
        continue;
      }
      const issues = validator.validate(blueprint, entity);
      results.push(
        issues.length
          ? {
              item,
              outcome: 'failed',
              entity,
              ...extra,
              error: { code: 'INVALID_ENTITY', reason: 'the entity does not match its blueprint', issues },
            }
          : { item, outcome: 'entity', entity, ...extra },
      );
    }
    resources.push({ kind: resource.kind, key: resource.key, results });
  }
  return { resources };
}

const SPENT = 'not evaluated: the request’s evaluation time was spent on earlier resources';

/**
 * Each organization's share of mapping evaluation in this process: one test at a time, and
 * MAPPING_TEST_LIMITS.orgMsPerMinute of evaluation time, so one organization's tests cannot keep
 * the pool's threads from others. Over it, RATE_LIMITED (429) with the seconds to wait.
 */
@Injectable()
export class MappingTestBudget implements OnApplicationShutdown {
  private readonly orgs = new Map<string, { availableMs: number; at: number; running: boolean }>();
  private threads: MappingPool | undefined;

  /**
   * The threads mapping tests run on, below the event loop's CPU priority (started on first use);
   * their limits count wall time, as the budget is how long the caller waits.
   */
  get pool(): MappingPool {
    this.threads ??= new MappingPool({ niceIncrement: 10, limitClock: 'wall' });
    return this.threads;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.threads?.close();
    this.threads = undefined;
  }

  async run<T>(orgId: string, test: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const state = this.orgs.get(orgId) ?? { availableMs: MAPPING_TEST_LIMITS.orgMsPerMinute, at: now, running: false };
    const perMs = MAPPING_TEST_LIMITS.orgMsPerMinute / 60_000;
    state.availableMs = Math.min(MAPPING_TEST_LIMITS.orgMsPerMinute, state.availableMs + (now - state.at) * perMs);
    state.at = now;
    if (state.running) throw rateLimited('another mapping test of this organization is still running', 1);
    if (state.availableMs < MAPPING_TEST_LIMITS.orgMinimumMs) {
      const wait = Math.ceil((MAPPING_TEST_LIMITS.orgMinimumMs - state.availableMs) / perMs / 1000);
      throw rateLimited(`this organization’s mapping tests used their evaluation time for now`, wait);
    }
    this.remember(orgId, state);
    state.running = true;
    try {
      return await test();
    } finally {
      const ended = performance.now();
      state.availableMs -= ended - now;
      state.running = false;
    }
  }

  private remember(orgId: string, state: { availableMs: number; at: number; running: boolean }): void {
    if (!this.orgs.has(orgId) && this.orgs.size >= 10_000) {
      // Forget organizations whose bucket is full again: they owe nothing.
      const now = performance.now();
      for (const [id, other] of this.orgs) if (!other.running && now - other.at > 60_000) this.orgs.delete(id);
    }
    this.orgs.set(orgId, state);
  }
}

function rateLimited(message: string, retryAfterSeconds: number): DomainError {
  return new DomainError('RATE_LIMITED', `${message}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
}
