import { Injectable } from '@nestjs/common';
import { writeAuditSql } from '../audit.js';
import { Database } from '../database.js';
import type { DeleteEntitiesResult, EntityInput, EntityKey, EntityListQuery, EntityRecord } from '../catalog-records.js';
import {
  ENTITY_COLUMNS,
  deleteEntityKeys,
  findMissingKeys,
  insertPlaceholders,
  toEntityRecord,
  type EntityRow,
} from './entity-sql.js';
import { storableJson } from '../storable-json.js';

/** Entities as the catalog API reads and writes them (the sync engine has its own bulk path). */
@Injectable()
export class EntityRepository {
  constructor(private readonly db: Database) {}

  async find(orgId: string, blueprint: string, identifier: string): Promise<EntityRecord | null> {
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<EntityRow>(`SELECT ${ENTITY_COLUMNS} FROM entities WHERE org_id = $1 AND blueprint = $2 AND identifier = $3`, [
        orgId,
        blueprint,
        identifier,
      ]),
    );
    return rows[0] ? toEntityRecord(rows[0]) : null;
  }

  async findMany(orgId: string, keys: readonly EntityKey[]): Promise<EntityRecord[]> {
    if (!keys.length) return [];
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<EntityRow>(
        `SELECT ${ENTITY_COLUMNS} FROM entities e
          WHERE e.org_id = $1 AND (e.blueprint, e.identifier) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        [orgId, keys.map((k) => k.blueprint), keys.map((k) => k.identifier)],
      ),
    );
    return rows.map(toEntityRecord);
  }

  /** One page in identifier order; ask for `limit + 1` to know whether another page follows. */
  async list(orgId: string, blueprint: string, query: EntityListQuery): Promise<EntityRecord[]> {
    const conditions = ['org_id = $1', 'blueprint = $2'];
    const params: unknown[] = [orgId, blueprint];
    if (query.after !== undefined) conditions.push(`identifier > $${params.push(query.after)}`);
    if (query.search) {
      const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const p = params.push(pattern);
      conditions.push(`(identifier ILIKE $${p} OR title ILIKE $${p})`);
    }
    if (query.installationId) conditions.push(`installation_id = $${params.push(query.installationId)}`);
    const limit = params.push(query.limit);
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<EntityRow>(
        `SELECT ${ENTITY_COLUMNS} FROM entities WHERE ${conditions.join(' AND ')} ORDER BY identifier LIMIT $${limit}`,
        params,
      ),
    );
    return rows.map(toEntityRecord);
  }

  async findMissing(orgId: string, keys: readonly EntityKey[]): Promise<EntityKey[]> {
    return this.db.inTenantSql(orgId, (client) => findMissingKeys(client, orgId, keys));
  }

  /**
   * Writes complete entities (the caller has merged and validated them) and, first, bare
   * placeholders for missing relation targets. An API write clears the sync's content hash so the
   * next sync of an owning installation writes its own version again.
   */
  async write(
    orgId: string,
    entities: readonly EntityInput[],
    placeholders: readonly EntityKey[] = [],
  ): Promise<Array<{ identifier: string; created: boolean }>> {
    return this.db.inTenantSql(orgId, async (client) => {
      await insertPlaceholders(client, orgId, placeholders, null);
      const { rows } = await client.query<{ blueprint: string; identifier: string; created: boolean }>(
        `INSERT INTO entities AS e (org_id, blueprint, identifier, title, icon, team, properties, relations)
         SELECT $1, t.blueprint, t.identifier, t.title, t.icon, ARRAY(SELECT jsonb_array_elements_text(t.team)),
                t.properties, t.relations
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[], $8::jsonb[])
                AS t(blueprint, identifier, title, icon, team, properties, relations)
         ON CONFLICT (org_id, blueprint, identifier) DO UPDATE SET
           title = EXCLUDED.title, icon = EXCLUDED.icon, team = EXCLUDED.team, properties = EXCLUDED.properties,
           relations = EXCLUDED.relations, placeholder = false, content_hash = NULL, updated_at = now()
         RETURNING blueprint, identifier, (xmax = 0) AS created`,
        [
          orgId,
          entities.map((e) => e.blueprint),
          entities.map((e) => e.identifier),
          entities.map((e) => e.title ?? null),
          entities.map((e) => e.icon ?? null),
          entities.map((e) => storableJson(e.team ?? [])),
          entities.map((e) => storableJson(e.properties)),
          entities.map((e) => storableJson(e.relations)),
        ],
      );
      await writeAuditSql(
        client,
        orgId,
        rows.map((row) => ({
          action: row.created ? 'entity.created' : 'entity.updated',
          targetType: 'entity',
          targetId: entityTarget(row.blueprint, row.identifier),
          details: { blueprint: row.blueprint, identifier: row.identifier },
        })),
      );
      return rows.map(({ identifier, created }) => ({ identifier, created }));
    });
  }

  async delete(
    orgId: string,
    blueprint: string,
    identifiers: readonly string[],
    options: { deleteDependents: boolean },
  ): Promise<DeleteEntitiesResult> {
    return this.db.inTenantSql(orgId, async (client) => {
      const result = await deleteEntityKeys(client, orgId, blueprint, identifiers, options);
      await writeAuditSql(
        client,
        orgId,
        result.deleted.map((key) => ({
          action: 'entity.deleted',
          targetType: 'entity',
          targetId: entityTarget(key.blueprint, key.identifier),
          details: { blueprint: key.blueprint, identifier: key.identifier },
        })),
      );
      return result;
    });
  }

  /** Deletes every entity an installation owns, in bounded batches; returns how many. */
  async deleteOwnedBy(orgId: string, installationId: string, batchSize = 5_000): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.db.inTenantSql(orgId, async (client) => {
        const { rowCount } = await client.query(
          `DELETE FROM entities WHERE ctid = ANY (ARRAY(
             SELECT ctid FROM entities WHERE org_id = $1 AND installation_id = $2 LIMIT $3))`,
          [orgId, installationId, batchSize],
        );
        return rowCount ?? 0;
      });
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }
}

/** How the audit trail names an entity: `blueprint/identifier`. */
function entityTarget(blueprint: string, identifier: string): string {
  return `${blueprint}/${identifier}`;
}
