import { Inject, Injectable, Logger } from '@nestjs/common';
import { IntegrationConnections } from '@mooring/installations';
import {
  IntegrationRegistry,
  withInstallationKinds,
  type IntegrationConnection,
  type JsonObject,
  type JsonValue,
  type LiveChange,
} from '@mooring/integrations';
import {
  BlueprintRepository,
  InstallationRepository,
  LiveEventRepository,
  SyncCatalogRepository,
  minuteOf,
  type DeliveryResult,
  type EntityKey,
  type InstallationRecord,
  type ItemVersion,
  type LiveCountDelta,
  type PendingDelivery,
} from '@mooring/persistence';
import { isDomainError } from '@mooring/platform';
import { LiveItemWriter } from '@mooring/sync';
import { LIVE_EVENTS_METRICS, type LiveEventMetrics } from './live-event-metrics.js';
import { compareVersions } from './versions.js';

/** Deliveries applied together: their items are mapped and written in one pass per kind. */
const BATCH = 200;

/** What happened to one change, for the delivery's log entry. */
type ChangeResult = 'written' | 'deleted' | 'kept_exists' | 'superseded' | 'not_mapped' | 'gone' | `failed: ${string}`;

interface Planned {
  readonly change: LiveChange;
  readonly delivery: number;
  result?: ChangeResult;
}

/**
 * Applies an installation's accepted deliveries, in the order they were accepted, one worker at a
 * time per installation (a lock in PostgreSQL; a worker that dies lets go with its connection, and
 * the next apply job or the sweep picks up where it stopped: deliveries stay pending until the
 * transaction that records their outcome commits, and re-applying one is idempotent).
 *
 * For each change: the item from the payload, or read with `fetchItem` when the payload has none;
 * an older version than the one applied last is dropped; a deletion is applied only when
 * `fetchItem` says the item is gone, and only to entities this installation owns. Items are written
 * by `LiveItemWriter`, the resync's own transform and load path.
 */
@Injectable()
export class LiveEventApplier {
  private readonly logger = new Logger('LiveEvents');
  private readonly writers = new Map<string, { writer: Promise<LiveItemWriter>; until: number }>();

  constructor(
    private readonly events: LiveEventRepository,
    private readonly installations: InstallationRepository,
    private readonly catalog: SyncCatalogRepository,
    private readonly blueprints: BlueprintRepository,
    private readonly integrations: IntegrationRegistry,
    private readonly connections: IntegrationConnections,
    @Inject(LIVE_EVENTS_METRICS) private readonly metrics: LiveEventMetrics,
  ) {}

  /** Applies every pending delivery of the installation, unless another worker is doing so. */
  async drain(orgId: string, installationId: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      const held = await this.events.whileDraining(installationId, async () => {
        for (let batch = await this.events.pending(orgId, installationId, BATCH); batch.length && !signal.aborted;) {
          await this.applyBatch(orgId, installationId, batch, signal);
          batch = await this.events.pending(orgId, installationId, BATCH);
        }
      });
      // Not held: the holder looks again after letting go, so what this job was for is applied.
      if (!held || signal.aborted) return;
      if (!(await this.events.hasPending(orgId, installationId))) return;
    }
  }

  private async applyBatch(orgId: string, installationId: string, batch: readonly PendingDelivery[], signal: AbortSignal) {
    const installation = await this.installations.find(orgId, installationId);
    if (!installation) return; // deleted: its deliveries went with it
    const live = this.integrations.find(installation.integrationId)?.liveEvents;
    const counts = new Counts();
    for (const delivery of batch) counts.add('', minuteOf(delivery.receivedAt), 'received', 1);

    const heldBack = !live
      ? 'the integration no longer has live events'
      : !installation.enabled
        ? 'the installation is disabled; the resync after enabling it catches up'
        : installation.state !== 'active'
          ? `the installation is ${installation.state} (${installation.stateReason ?? 'needs attention'}); the resync after reconnecting catches up`
          : null;
    if (heldBack || !live) {
      counts.add('', minuteOf(new Date()), 'dropped', batch.length);
      const results = batch.map((d) => ({ id: d.id, status: 'dropped' as const, reason: heldBack, outcome: null }));
      await this.events.finish(orgId, installationId, results, counts.deltas(), []);
      return;
    }

    const planned: Planned[] = [];
    const unreadable = new Map<number, string>();
    batch.forEach((delivery, index) => {
      try {
        for (const change of live.changes(
          { headers: delivery.headers, body: delivery.body as JsonValue },
          installation.settings,
        )) {
          planned.push({ change, delivery: index });
        }
      } catch (error) {
        unreadable.set(index, `the integration could not read the delivery: ${(error as Error).message}`);
      }
    });
    const now = minuteOf(new Date());
    const chosen = await this.latestPerItem(orgId, installationId, planned, counts, now);
    const writer = await this.writerFor(installation);
    let connection: IntegrationConnection | undefined;
    const connect = async () => (connection ??= await this.connections.forInstallation(orgId, installationId, signal));

    const upserts = new Map<string, Array<{ planned: Planned; item: JsonObject }>>();
    const deletions = new Map<string, Array<{ planned: Planned; item: JsonObject }>>();
    for (const entry of chosen) {
      const { change } = entry.planned;
      if (!writer.maps(change.kind)) {
        entry.planned.result = 'not_mapped';
        continue;
      }
      try {
        if (change.action === 'upsert') {
          const item =
            change.item ?? (await live.fetchItem(await connect(), change.kind, change.itemId, writer.selectorOf(change.kind)));
          if (item) push(upserts, change.kind, { planned: entry.planned, item });
          else entry.planned.result = 'gone';
        } else {
          // Confirmed with the tool: a deletion stands only if the item is gone there.
          const current = await live.fetchItem(await connect(), change.kind, change.itemId, writer.selectorOf(change.kind));
          if (current) {
            entry.planned.result = 'kept_exists';
            push(upserts, change.kind, { planned: entry.planned, item: current });
          } else if (change.item) push(deletions, change.kind, { planned: entry.planned, item: change.item });
          else entry.planned.result = 'failed: the deletion names no item to find its entities by';
        }
      } catch (error) {
        entry.planned.result = `failed: ${isDomainError(error) ? `${error.code}: ` : ''}${(error as Error).message}`;
        counts.add(change.kind, now, 'failed', 1);
        if (isDomainError(error, 'CREDENTIALS_INVALID')) await connection?.credentialsRejected?.(error.message);
      }
    }

    // Applied while a run is running: staged as its seen keys, so its reconciliation keeps them.
    const runId = upserts.size ? await this.events.runningRun(orgId, installationId) : null;
    for (const [kind, entries] of upserts) {
      const written = await writer.upsert(
        kind,
        entries.map((e) => e.item),
        runId,
      );
      counts.add(kind, now, 'applied', written.applied);
      counts.add(kind, now, 'filteredOut', written.filteredOut);
      counts.add(kind, now, 'failed', written.failed);
      const failure = written.samples[0]?.reason;
      for (const entry of entries) entry.planned.result ??= written.failed && failure ? `failed: ${failure}` : 'written';
      this.metrics.applied(installation.integrationId, kind, {
        loaded: written.applied - written.unchanged,
        skipped: written.unchanged,
        filtered_out: written.filteredOut,
        failed: written.failed,
      });
    }
    for (const [kind, entries] of deletions) {
      const keys: EntityKey[] = await writer.keysOf(
        kind,
        entries.map((e) => e.item),
      );
      const { deleted } = await writer.delete(keys);
      counts.add(kind, now, 'deleted', deleted);
      for (const entry of entries) entry.planned.result = 'deleted';
      this.metrics.applied(installation.integrationId, kind, { deleted });
    }

    const versions: ItemVersion[] = chosen
      .filter((entry) => entry.planned.change.version !== undefined && !entry.planned.result?.startsWith('failed'))
      .map((entry) => ({
        kind: entry.planned.change.kind,
        itemId: entry.planned.change.itemId,
        version: String(entry.planned.change.version),
      }));
    const results: DeliveryResult[] = batch.map((delivery, index) => {
      const reason = unreadable.get(index);
      if (reason) {
        counts.add('', now, 'failed', 1);
        return { id: delivery.id, status: 'failed', reason, outcome: null };
      }
      const changes = planned
        .filter((p) => p.delivery === index)
        .map((p) => ({
          kind: p.change.kind,
          itemId: p.change.itemId,
          action: p.change.action,
          result: p.result ?? 'superseded',
        }));
      const failed = changes.filter((c) => c.result.startsWith('failed'));
      return {
        id: delivery.id,
        status: failed.length && failed.length === changes.length ? 'failed' : 'applied',
        reason: failed[0]?.result.slice('failed: '.length) ?? null,
        outcome: { changes },
      };
    });
    await this.events.finish(orgId, installationId, results, counts.deltas(), versions);
    const delay = (Date.now() - Math.min(...batch.map((d) => d.receivedAt.getTime()))) / 1000;
    this.metrics.delay(installation.integrationId, delay);
    if (unreadable.size) this.logger.warn(`${unreadable.size} delivery(ies) of installation ${installationId} could not be read`);
  }

  /**
   * One change per item: of an item's changes in the batch, the newest (by version, else the last
   * accepted); dropped when older than the version applied last. The others are superseded.
   */
  private async latestPerItem(
    orgId: string,
    installationId: string,
    planned: readonly Planned[],
    counts: Counts,
    minute: Date,
  ): Promise<Array<{ planned: Planned }>> {
    const latest = new Map<string, Planned>();
    for (const entry of planned) {
      const key = `${entry.change.kind}\u0000${entry.change.itemId}`;
      const previous = latest.get(key);
      if (previous && compareVersions(entry.change.version, previous.change.version) < 0) {
        entry.result = 'superseded';
      } else {
        if (previous) previous.result = 'superseded';
        latest.set(key, entry);
      }
    }
    const stored = await this.events.versions(
      orgId,
      installationId,
      [...latest.values()]
        .filter((p) => p.change.version !== undefined)
        .map((p) => ({ kind: p.change.kind, itemId: p.change.itemId })),
    );
    const storedBy = new Map(stored.map((v) => [`${v.kind}\u0000${v.itemId}`, v.version]));
    const chosen: Array<{ planned: Planned }> = [];
    for (const [key, entry] of latest) {
      const applied = storedBy.get(key);
      if (applied !== undefined && compareVersions(entry.change.version, applied) < 0) entry.result = 'superseded';
      else chosen.push({ planned: entry });
    }
    for (const entry of planned) if (entry.result === 'superseded') counts.add(entry.change.kind, minute, 'superseded', 1);
    return chosen;
  }

  /** The installation's writer (its mapping parsed once), reused for a minute while the installation is unchanged. */
  private writerFor(installation: InstallationRecord): Promise<LiveItemWriter> {
    const key = `${installation.id}:${installation.updatedAt.getTime()}`;
    const now = Date.now();
    const cached = this.writers.get(key);
    if (cached && cached.until > now) return cached.writer;
    if (this.writers.size > 1_000) this.writers.clear();
    const writer = LiveItemWriter.open(
      { catalog: this.catalog, blueprints: this.blueprints },
      installation,
      withInstallationKinds(this.integrations.get(installation.integrationId), installation.settings),
    );
    this.writers.set(key, { writer, until: now + 60_000 });
    writer.catch(() => this.writers.delete(key));
    return writer;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

class Counts {
  private readonly byKey = new Map<string, { kind: string; minute: Date } & Record<string, number | string | Date>>();

  add(kind: string, minute: Date, counter: Exclude<keyof LiveCountDelta, 'kind' | 'minute'>, value: number): void {
    if (!value) return;
    const key = `${kind}\u0000${minute.getTime()}`;
    let entry = this.byKey.get(key);
    if (!entry) this.byKey.set(key, (entry = { kind, minute }));
    entry[counter] = ((entry[counter] as number | undefined) ?? 0) + value;
  }

  deltas(): LiveCountDelta[] {
    return [...this.byKey.values()] as LiveCountDelta[];
  }
}
