import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { Database } from '../database.js';
import type { DeleteEntitiesResult, EntityKey, SyncEntityInput } from '../catalog-records.js';
import type { OwnedBlueprintStats, PendingEntity, RawSampleRecord } from '../sync-records.js';
import { deleteEntityKeys, findMissingKeys, insertPlaceholders } from './entity-sql.js';
import { storableJson } from '../storable-json.js';

/** Who is writing: the installation and the mapping resource (`kind-index`) that own the entities. */
export interface SyncWriter {
  readonly installationId: string;
  readonly resourceKey: string;
}

/**
 * The catalog as the sync engine sees it: bulk, hash-guarded writes, the run's staged seen keys,
 * entities waiting for relation targets, and the queries reconciliation decides on. Memory stays
 * bounded by a batch: whole-installation sets live in PostgreSQL, never in the process.
 */
@Injectable()
export class SyncCatalogRepository {
  constructor(private readonly db: Database) {}

  /**
   * Runs `fn` with one batch's statements in one transaction: one commit per batch, and a crash
   * leaves either all of a batch's writes (staged keys, entities, parked entities) or none.
   */
  async inBatch<T>(orgId: string, fn: (batch: SyncBatch) => Promise<T>): Promise<T> {
    return this.db.inTenantSql(orgId, (client) => fn(new SyncBatch(client, orgId)));
  }

  /** One page of the run's pending entities in key order. */
  async pendingPage(orgId: string, runId: string, after: EntityKey | null, limit: number): Promise<PendingEntity[]> {
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<{ blueprint: string; identifier: string; resource_index: number; entity: unknown; reason: string }>(
        `SELECT blueprint, identifier, resource_index, entity, reason FROM sync_pending_entities
          WHERE org_id = $1 AND run_id = $2 AND ($3::text IS NULL OR (blueprint, identifier) > ($3, $4))
          ORDER BY blueprint, identifier LIMIT $5`,
        [orgId, runId, after?.blueprint ?? null, after?.identifier ?? null, limit],
      ),
    );
    return rows.map((row) => ({
      blueprint: row.blueprint,
      identifier: row.identifier,
      resourceIndex: row.resource_index,
      entity: row.entity,
      reason: row.reason,
    }));
  }

  /**
   * Per blueprint the installation owns entities of: how many it owns (the threshold's
   * denominator) and how many are deletion candidates (not seen by the run and not a relation
   * target of an entity that stays). Entities last written by a resource in `kept` (one the run
   * skipped) are never candidates.
   */
  async ownedStats(
    orgId: string,
    installationId: string,
    runId: string,
    settledBefore: Date | null = null,
    kept: readonly string[] = [],
  ): Promise<OwnedBlueprintStats[]> {
    return this.db.inTenantSql(orgId, async (client) => {
      await preferHashJoins(client);
      const { rows: blueprints } = await client.query<{ blueprint: string; owned: string }>(
        `SELECT blueprint, count(*) AS owned FROM entities WHERE org_id = $1 AND installation_id = $2 GROUP BY blueprint ORDER BY blueprint`,
        [orgId, installationId],
      );
      const count = async (blueprint: string, before: Date | null) => {
        const candidates = await candidateQuery(client, orgId, blueprint, 5, before, kept);
        const { rows } = await client.query<{ unseen: string }>(`SELECT count(*) AS unseen FROM (${candidates.sql}) c`, [
          orgId,
          installationId,
          runId,
          blueprint,
          null,
          ...candidates.params,
        ]);
        return Number(rows[0]?.unseen ?? 0);
      };
      const stats: OwnedBlueprintStats[] = [];
      for (const { blueprint, owned } of blueprints) {
        const unseen = await count(blueprint, settledBefore);
        const deferred = settledBefore ? (await count(blueprint, null)) - unseen : 0;
        stats.push({ blueprint, owned: Number(owned), unseen, deferred });
      }
      return stats;
    });
  }

  /** The next deletion candidates of a blueprint, in identifier order. */
  async deletionCandidates(
    orgId: string,
    installationId: string,
    runId: string,
    blueprint: string,
    after: string | null,
    limit: number,
    settledBefore: Date | null = null,
    kept: readonly string[] = [],
  ): Promise<string[]> {
    return this.db.inTenantSql(orgId, async (client) => {
      await preferHashJoins(client);
      const candidates = await candidateQuery(client, orgId, blueprint, 6, settledBefore, kept);
      const { rows } = await client.query<{ identifier: string }>(
        `SELECT identifier FROM (${candidates.sql}) c ORDER BY identifier LIMIT $6`,
        [orgId, installationId, runId, blueprint, after, limit, ...candidates.params],
      );
      return rows.map((row) => row.identifier);
    });
  }

  /**
   * Deletes a chunk of a run's deletion candidates and adds how many went to the run's `deleted`,
   * in one transaction: whatever attempt deletes them, and wherever an attempt dies, each entity is
   * counted once. Fenced by the attempt: when a later attempt has taken the run (or it ended),
   * nothing is deleted and the answer is null. The run's row stays locked until the commit, so a
   * later attempt cannot begin half-way through a chunk.
   */
  async deleteForRun(
    orgId: string,
    run: { readonly runId: string; readonly attempt: number },
    blueprint: string,
    identifiers: readonly string[],
    options: { deleteDependents: boolean },
  ): Promise<DeleteEntitiesResult | null> {
    return this.db.inTenantSql(orgId, async (client) => {
      const { rowCount } = await client.query(
        `SELECT 1 FROM sync_runs WHERE org_id = $1 AND id = $2 AND attempt = $3 AND status = 'running' FOR NO KEY UPDATE`,
        [orgId, run.runId, run.attempt],
      );
      if (!rowCount) return null;
      const result = await deleteEntityKeys(client, orgId, blueprint, identifiers, options);
      await client.query('UPDATE sync_runs SET deleted = deleted + $3 WHERE org_id = $1 AND id = $2', [
        orgId,
        run.runId,
        result.deleted.length,
      ]);
      return result;
    });
  }

  /**
   * Deletes the entities among `keys` that the installation owns (a live event's confirmed
   * deletion), in one transaction; an entity another one requires stays (`blocked`).
   */
  async deleteOwned(orgId: string, installationId: string, keys: readonly EntityKey[]): Promise<DeleteEntitiesResult> {
    if (!keys.length) return { deleted: [], blocked: [] };
    return this.db.inTenantSql(orgId, async (client) => {
      const { rows } = await client.query<{ blueprint: string; identifier: string }>(
        `SELECT e.blueprint, e.identifier FROM entities e JOIN unnest($3::text[], $4::text[]) AS k(blueprint, identifier)
             ON e.blueprint = k.blueprint AND e.identifier = k.identifier
          WHERE e.org_id = $1 AND e.installation_id = $2 ORDER BY 1, 2 FOR UPDATE OF e`,
        [orgId, installationId, keys.map((k) => k.blueprint), keys.map((k) => k.identifier)],
      );
      const deleted: EntityKey[] = [];
      const blocked: Array<EntityKey & { requiredBy: EntityKey }> = [];
      for (const blueprint of new Set(rows.map((row) => row.blueprint))) {
        const identifiers = rows.filter((row) => row.blueprint === blueprint).map((row) => row.identifier);
        const result = await deleteEntityKeys(client, orgId, blueprint, identifiers, { deleteDependents: false });
        deleted.push(...result.deleted);
        blocked.push(...result.blocked);
      }
      return { deleted, blocked };
    });
  }

  /** Keeps the first raw items of a kind from the last run (secrets scrubbed by the caller). */
  async saveRawSample(
    orgId: string,
    installationId: string,
    runId: string,
    kind: string,
    items: readonly unknown[],
  ): Promise<void> {
    await this.db.inTenantSql(orgId, (client) =>
      client.query(
        `INSERT INTO raw_samples (org_id, installation_id, kind, items, run_id, captured_at) VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (installation_id, kind) DO UPDATE SET items = EXCLUDED.items, run_id = EXCLUDED.run_id, captured_at = now()`,
        [orgId, installationId, kind, storableJson(items), runId],
      ),
    );
  }

  async rawSamples(orgId: string, installationId: string): Promise<RawSampleRecord[]> {
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<{ kind: string; items: unknown[]; run_id: string | null; captured_at: Date }>(
        `SELECT kind, items, run_id, captured_at FROM raw_samples WHERE org_id = $1 AND installation_id = $2 ORDER BY kind`,
        [orgId, installationId],
      ),
    );
    return rows.map((row) => ({ kind: row.kind, items: row.items, runId: row.run_id, capturedAt: row.captured_at }));
  }
}

async function upsertSyncEntities(
  client: pg.ClientBase,
  orgId: string,
  writer: SyncWriter,
  entities: readonly SyncEntityInput[],
  merge: boolean,
): Promise<void> {
  const mergeJson = (column: string) => (merge ? `e.${column} || EXCLUDED.${column}` : `EXCLUDED.${column}`);
  const keep = (column: string) => (merge ? `coalesce(EXCLUDED.${column}, e.${column})` : `EXCLUDED.${column}`);
  // The batch travels as one JSON document: one native JSON.stringify instead of escaping every
  // element of eight parameter arrays, and PostgreSQL splits it into rows in C.
  await client.query(
    `INSERT INTO entities AS e (org_id, blueprint, identifier, title, icon, team, properties, relations,
                                installation_id, resource_key, content_hash, placeholder)
     SELECT $1, t.blueprint, t.identifier, t.title, t.icon,
            coalesce(ARRAY(SELECT jsonb_array_elements_text(t.team)), '{}'), coalesce(t.properties, '{}'),
            coalesce(t.relations, '{}'), $2, $3, t."contentHash", false
       FROM jsonb_to_recordset($4::jsonb) AS t(blueprint text, identifier text, title text, icon text, team jsonb,
                                               properties jsonb, relations jsonb, "contentHash" text)
     ON CONFLICT (org_id, blueprint, identifier) DO UPDATE SET
       title = ${keep('title')}, icon = ${keep('icon')}, team = EXCLUDED.team,
       properties = ${mergeJson('properties')}, relations = ${mergeJson('relations')},
       installation_id = EXCLUDED.installation_id, resource_key = EXCLUDED.resource_key,
       content_hash = EXCLUDED.content_hash, placeholder = false, updated_at = now()
     WHERE e.content_hash IS DISTINCT FROM EXCLUDED.content_hash
        OR e.installation_id IS DISTINCT FROM EXCLUDED.installation_id
        OR e.resource_key IS DISTINCT FROM EXCLUDED.resource_key`,
    [orgId, writer.installationId, writer.resourceKey, storableJson(entities)],
  );
}

/** The statements of one load batch, on the batch's transaction. */
export class SyncBatch {
  constructor(
    private readonly client: pg.ClientBase,
    private readonly orgId: string,
  ) {}

  /**
   * Records that the run produced these keys (under the resource that staged each first; a live
   * event with no run running stages nothing: `runId` null), and
   * returns in one statement the positions of those
   * already stored with the same content hash by the same writer (nothing to write for them) and
   * which of `targets` (related entities) do not exist. The lookups are correlated scalar
   * subqueries on purpose: always one primary-key probe per row. As joins, the planner would pick
   * plans from statistics that lag far behind a table a sync is filling (believing an installation
   * owns one entity when it owns 100k) and scan the installation for every batch.
   */
  async stage(
    runId: string | null,
    resourceIndex: number,
    writer: SyncWriter,
    entities: readonly SyncEntityInput[],
    targets: readonly EntityKey[],
  ): Promise<{ unchanged: Set<number>; missing: EntityKey[] }> {
    if (!entities.length) return { unchanged: new Set(), missing: [] };
    const { rows } = await this.client.query<{ position: string | null; blueprint: string | null; identifier: string | null }>(
      `WITH input AS (
         SELECT * FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(blueprint, identifier, hash, position)
       ), seen AS (
         INSERT INTO sync_seen_keys (run_id, org_id, blueprint, identifier, resource_index)
         SELECT $2, $1, blueprint, identifier, $10 FROM input WHERE $2::uuid IS NOT NULL ON CONFLICT DO NOTHING
       )
       SELECT i.position::text AS position, NULL AS blueprint, NULL AS identifier FROM input i
        WHERE (SELECT e.content_hash = i.hash AND e.installation_id = $6 AND e.resource_key = $7
                 FROM entities e WHERE e.org_id = $1 AND e.blueprint = i.blueprint AND e.identifier = i.identifier)
       UNION ALL
       SELECT NULL, t.blueprint, t.identifier FROM unnest($8::text[], $9::text[]) AS t(blueprint, identifier)
        WHERE (SELECT true FROM entities e WHERE e.org_id = $1 AND e.blueprint = t.blueprint AND e.identifier = t.identifier) IS NULL`,
      [
        this.orgId,
        runId,
        entities.map((e) => e.blueprint),
        entities.map((e) => e.identifier),
        entities.map((e) => e.contentHash),
        writer.installationId,
        writer.resourceKey,
        targets.map((t) => t.blueprint),
        targets.map((t) => t.identifier),
        resourceIndex,
      ],
    );
    const unchanged = new Set<number>();
    const missing: EntityKey[] = [];
    for (const row of rows) {
      if (row.position !== null) unchanged.add(Number(row.position) - 1);
      else missing.push({ blueprint: row.blueprint!, identifier: row.identifier! });
    }
    return { unchanged, missing };
  }

  async findMissing(keys: readonly EntityKey[]): Promise<EntityKey[]> {
    return findMissingKeys(this.client, this.orgId, keys);
  }

  /**
   * Upserts entities (placeholders for missing relation targets first), skipping rows whose stored
   * hash and writer already match. With `merge`, properties and relations are merged into the
   * stored ones (Port's enableMergeEntity) instead of replacing them.
   */
  async write(
    writer: SyncWriter,
    entities: readonly SyncEntityInput[],
    options: { merge: boolean; placeholders: readonly EntityKey[] },
  ): Promise<void> {
    await insertPlaceholders(this.client, this.orgId, options.placeholders, writer.installationId);
    if (entities.length) await upsertSyncEntities(this.client, this.orgId, writer, entities, options.merge);
  }

  /** Parks entities whose related entities do not exist yet, for reingestion after all resources. */
  async addPending(runId: string, pending: readonly PendingEntity[]): Promise<void> {
    if (!pending.length) return;
    await this.client.query(
      `INSERT INTO sync_pending_entities (run_id, org_id, blueprint, identifier, resource_index, entity, reason)
       SELECT $2, $1, * FROM unnest($3::text[], $4::text[], $5::int[], $6::jsonb[], $7::text[])
       ON CONFLICT (run_id, blueprint, identifier) DO UPDATE SET entity = EXCLUDED.entity, reason = EXCLUDED.reason,
         resource_index = EXCLUDED.resource_index`,
      [
        this.orgId,
        runId,
        pending.map((p) => p.blueprint),
        pending.map((p) => p.identifier),
        pending.map((p) => p.resourceIndex),
        pending.map((p) => storableJson(p.entity)),
        pending.map((p) => p.reason),
      ],
    );
  }

  async removePending(runId: string, keys: readonly EntityKey[]): Promise<void> {
    if (!keys.length) return;
    await this.client.query(
      `DELETE FROM sync_pending_entities WHERE org_id = $1 AND run_id = $2
          AND (blueprint, identifier) IN (SELECT * FROM unnest($3::text[], $4::text[]))`,
      [this.orgId, runId, keys.map((k) => k.blueprint), keys.map((k) => k.identifier)],
    );
  }
}

/**
 * The run's staged keys and the entities it wrote grew within the run, after the planner's last
 * statistics: it would probe them row by row (nested loops over tens of thousands of rows).
 * Reconciliation joins whole sets, so it asks for hash joins for its own transaction only.
 */
async function preferHashJoins(client: pg.ClientBase): Promise<void> {
  await client.query('SET LOCAL enable_nestloop = off');
}

/**
 * The identifiers of a blueprint's deletion candidates ($1 org, $2 installation, $3 run,
 * $4 blueprint, $5 identifier to start after or null): entities the installation owns, minus those
 * the run saw, minus the relation targets of entities that stay (owned by another installation or
 * the API, or seen by the run). Set differences, so PostgreSQL hashes them instead of probing per
 * row, and nothing depends on statistics of tables that grew during the run. With `settledBefore`,
 * only entities last written before it: newer ones may be missing from a listing that lags.
 */
async function candidateQuery(
  client: pg.ClientBase,
  orgId: string,
  blueprint: string,
  paramsBefore: number,
  settledBefore: Date | null = null,
  kept: readonly string[] = [],
): Promise<{ sql: string; params: Array<string | string[]> }> {
  const { rows } = await client.query<{ blueprint: string; relation: string }>(
    `SELECT b.identifier AS blueprint, r.key AS relation FROM blueprints b, jsonb_each(b.relations) r
      WHERE b.org_id = $1 AND r.value->>'target' = $2 ORDER BY 1, 2`,
    [orgId, blueprint],
  );
  const params: Array<string | string[]> = [];
  const related = rows.map((ref) => {
    const bp = paramsBefore + params.push(ref.blueprint);
    const rel = paramsBefore + params.push(ref.relation);
    const value = `s.relations->$${rel}`;
    const targets = `jsonb_array_elements_text(CASE jsonb_typeof(${value}) WHEN 'array' THEN ${value}
                       WHEN 'string' THEN jsonb_build_array(${value}) ELSE '[]'::jsonb END)`;
    return `SELECT ${targets} FROM entities s WHERE s.org_id = $1 AND s.blueprint = $${bp} AND s.installation_id IS DISTINCT FROM $2
            UNION ALL
            SELECT ${targets} FROM entities s JOIN sync_seen_keys k
                ON k.run_id = $3 AND k.org_id = $1 AND k.blueprint = s.blueprint AND k.identifier = s.identifier
             WHERE s.org_id = $1 AND s.blueprint = $${bp} AND s.installation_id = $2`;
  });
  const settled = settledBefore
    ? `AND updated_at < $${paramsBefore + params.push(settledBefore.toISOString())}::timestamptz`
    : '';
  const notKept = kept.length
    ? `AND (resource_key IS NULL OR resource_key <> ALL ($${paramsBefore + params.push([...kept])}::text[]))`
    : '';
  const sql = [
    `SELECT identifier FROM entities WHERE org_id = $1 AND installation_id = $2 AND blueprint = $4
        AND ($5::text IS NULL OR identifier > $5) ${settled} ${notKept}`,
    `SELECT identifier FROM sync_seen_keys WHERE run_id = $3 AND org_id = $1 AND blueprint = $4`,
    ...related.map((query) => `SELECT * FROM (${query}) r`),
  ].join('\nEXCEPT\n');
  return { sql, params };
}
