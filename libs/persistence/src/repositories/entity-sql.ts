import type pg from 'pg';
import type { DeleteEntitiesResult, EntityKey, EntityRecord, RelationValue } from '../catalog-records.js';

// SQL shared by the catalog API and the sync engine. Every statement names org_id explicitly even
// though row-level security also scopes it: two walls, not one. Bulk statements pass one array per
// column through unnest, so a batch is one statement whatever its size (no bind-parameter limit).

export const ENTITY_COLUMNS = `blueprint, identifier, title, icon, team, properties, relations, installation_id,
  resource_key, placeholder, created_at, updated_at`;

export interface EntityRow {
  blueprint: string;
  identifier: string;
  title: string | null;
  icon: string | null;
  team: string[] | null;
  properties: Record<string, unknown>;
  relations: Record<string, RelationValue>;
  installation_id: string | null;
  resource_key: string | null;
  placeholder: boolean;
  created_at: Date;
  updated_at: Date;
}

export function toEntityRecord(row: EntityRow): EntityRecord {
  return {
    blueprint: row.blueprint,
    identifier: row.identifier,
    title: row.title,
    icon: row.icon,
    team: row.team ?? [],
    properties: row.properties,
    relations: row.relations,
    installationId: row.installation_id,
    resourceKey: row.resource_key,
    placeholder: row.placeholder,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The keys among `keys` that do not exist yet. */
export async function findMissingKeys(client: pg.ClientBase, orgId: string, keys: readonly EntityKey[]): Promise<EntityKey[]> {
  if (!keys.length) return [];
  const { rows } = await client.query<EntityKey>(
    // A primary-key probe per key, whatever the (possibly stale) statistics say: see SyncBatch.stage.
    `SELECT DISTINCT t.blueprint, t.identifier FROM unnest($2::text[], $3::text[]) AS t(blueprint, identifier)
      WHERE (SELECT true FROM entities e WHERE e.org_id = $1 AND e.blueprint = t.blueprint AND e.identifier = t.identifier) IS NULL`,
    [orgId, keys.map((k) => k.blueprint), keys.map((k) => k.identifier)],
  );
  return rows;
}

/** Creates bare entities for relation targets that do not exist (createMissingRelatedEntities). */
export async function insertPlaceholders(
  client: pg.ClientBase,
  orgId: string,
  keys: readonly EntityKey[],
  installationId: string | null,
): Promise<number> {
  if (!keys.length) return 0;
  const result = await client.query(
    `INSERT INTO entities (org_id, blueprint, identifier, installation_id, placeholder)
     SELECT $1, t.blueprint, t.identifier, $4, true FROM unnest($2::text[], $3::text[]) AS t(blueprint, identifier)
     ON CONFLICT (org_id, blueprint, identifier) DO NOTHING`,
    [orgId, keys.map((k) => k.blueprint), keys.map((k) => k.identifier), installationId],
  );
  return result.rowCount ?? 0;
}

interface ReferencingRelation {
  blueprint: string;
  relation: string;
  required: boolean;
}

async function relationsTargeting(client: pg.ClientBase, orgId: string, blueprint: string): Promise<ReferencingRelation[]> {
  const { rows } = await client.query<ReferencingRelation>(
    `SELECT b.identifier AS blueprint, r.key AS relation, coalesce((r.value->>'required')::boolean, false) AS required
       FROM blueprints b, jsonb_each(b.relations) r
      WHERE b.org_id = $1 AND r.value->>'target' = $2`,
    [orgId, blueprint],
  );
  return rows;
}

/**
 * Deletes entities of one blueprint, Port's way. With `deleteDependents`, entities relating to a
 * deleted entity are deleted too, recursively. Without it, an entity that another (surviving)
 * entity requires is kept and reported as blocked, and optional references to deleted entities
 * are removed from the entities holding them. Run inside a tenant transaction.
 */
export async function deleteEntityKeys(
  client: pg.ClientBase,
  orgId: string,
  blueprint: string,
  identifiers: readonly string[],
  options: { deleteDependents: boolean },
): Promise<DeleteEntitiesResult> {
  const deleted: EntityKey[] = [];
  const blocked: Array<EntityKey & { requiredBy: EntityKey }> = [];
  let queue: Array<{ blueprint: string; identifiers: string[] }> = [{ blueprint, identifiers: [...identifiers] }];
  while (queue.length) {
    const next: typeof queue = [];
    for (const batch of queue) {
      const referencing = await relationsTargeting(client, orgId, batch.blueprint);
      let ids = batch.identifiers;
      if (!options.deleteDependents) {
        for (const ref of referencing.filter((r) => r.required)) {
          const { rows } = await client.query<{ identifier: string; target: string }>(
            `SELECT e.identifier, t.target FROM entities e, ${relationTargets('e', '$3')} AS t(target)
              WHERE e.org_id = $1 AND e.blueprint = $2 AND t.target = ANY($4::text[])
                AND NOT (e.blueprint = $5 AND e.identifier = ANY($4::text[]))`,
            [orgId, ref.blueprint, ref.relation, ids, batch.blueprint],
          );
          const blockedIds = new Set<string>();
          for (const row of rows) {
            if (blockedIds.has(row.target)) continue;
            blockedIds.add(row.target);
            blocked.push({
              blueprint: batch.blueprint,
              identifier: row.target,
              requiredBy: { blueprint: ref.blueprint, identifier: row.identifier },
            });
          }
          ids = ids.filter((id) => !blockedIds.has(id));
        }
      }
      if (!ids.length) continue;
      const result = await client.query<{ identifier: string }>(
        `DELETE FROM entities WHERE org_id = $1 AND blueprint = $2 AND identifier = ANY($3::text[]) RETURNING identifier`,
        [orgId, batch.blueprint, ids],
      );
      const gone = result.rows.map((row) => row.identifier);
      if (!gone.length) continue;
      for (const identifier of gone) deleted.push({ blueprint: batch.blueprint, identifier });
      for (const ref of referencing) {
        if (options.deleteDependents) {
          const { rows } = await client.query<{ identifier: string }>(
            `SELECT DISTINCT e.identifier FROM entities e, ${relationTargets('e', '$3')} AS t(target)
              WHERE e.org_id = $1 AND e.blueprint = $2 AND t.target = ANY($4::text[])`,
            [orgId, ref.blueprint, ref.relation, gone],
          );
          if (rows.length) next.push({ blueprint: ref.blueprint, identifiers: rows.map((row) => row.identifier) });
        } else {
          await removeReferences(client, orgId, ref, gone);
        }
      }
    }
    queue = next;
  }
  return { deleted, blocked };
}

/**
 * The identifiers an entity's relation holds, as rows (one relation value or a list of them). Each
 * referencing entity is read once and its targets matched against a hashed list, instead of
 * testing every target against every entity.
 */
function relationTargets(alias: string, relation: string): string {
  const value = `${alias}.relations->${relation}`;
  return `jsonb_array_elements_text(CASE jsonb_typeof(${value}) WHEN 'array' THEN ${value}
            WHEN 'string' THEN jsonb_build_array(${value}) ELSE '[]'::jsonb END)`;
}

/** Drops references to deleted entities; the holder's content hash is cleared so a sync rewrites it. */
async function removeReferences(client: pg.ClientBase, orgId: string, ref: ReferencingRelation, gone: string[]): Promise<void> {
  await client.query(
    `UPDATE entities SET
        relations = CASE jsonb_typeof(relations->$3)
          WHEN 'array' THEN jsonb_set(relations, ARRAY[$3], coalesce(
            (SELECT jsonb_agg(v) FROM jsonb_array_elements(relations->$3) v WHERE NOT (v #>> '{}') = ANY($4::text[])), '[]'::jsonb))
          ELSE jsonb_set(relations, ARRAY[$3], 'null'::jsonb) END,
        content_hash = NULL, updated_at = now()
      WHERE org_id = $1 AND blueprint = $2
        AND EXISTS (SELECT 1 FROM ${relationTargets('entities', '$3')} AS t(target) WHERE t.target = ANY($4::text[]))`,
    [orgId, ref.blueprint, ref.relation, gone],
  );
}
