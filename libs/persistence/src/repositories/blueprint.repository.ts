import { Injectable } from '@nestjs/common';
import { writeAudit } from '../audit.js';
import { Database } from '../database.js';
import type { BlueprintInput, BlueprintRecord, BlueprintSchema, RelationDefinition } from '../catalog-records.js';
import type { Prisma } from '../generated/prisma/client.js';

@Injectable()
export class BlueprintRepository {
  constructor(private readonly db: Database) {}

  /** Creates the blueprint, or returns null when the identifier is taken. */
  async create(orgId: string, input: BlueprintInput): Promise<BlueprintRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const existing = await tx.blueprint.findFirst({ where: { orgId, identifier: input.identifier }, select: { orgId: true } });
      if (existing) return null;
      const row = await tx.blueprint.create({ data: { orgId, ...toColumns(input) } });
      await writeAudit(tx, orgId, {
        action: 'blueprint.created',
        targetType: 'blueprint',
        targetId: input.identifier,
        details: { title: input.title },
      });
      return toBlueprintRecord(row);
    });
  }

  async find(orgId: string, identifier: string): Promise<BlueprintRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) => tx.blueprint.findFirst({ where: { orgId, identifier } }));
    return row && toBlueprintRecord(row);
  }

  async findMany(orgId: string, identifiers: readonly string[]): Promise<BlueprintRecord[]> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.blueprint.findMany({ where: { orgId, identifier: { in: [...identifiers] } } }),
    );
    return rows.map(toBlueprintRecord);
  }

  async list(orgId: string): Promise<BlueprintRecord[]> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.blueprint.findMany({ where: { orgId }, orderBy: { identifier: 'asc' } }),
    );
    return rows.map(toBlueprintRecord);
  }

  /** Replaces the definition and bumps the version (compiled validators are cached by it). */
  async update(orgId: string, input: BlueprintInput): Promise<BlueprintRecord | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const { count } = await tx.blueprint.updateMany({
        where: { orgId, identifier: input.identifier },
        data: { ...toColumns(input), version: { increment: 1 } },
      });
      if (!count) return null;
      const row = await tx.blueprint.findFirstOrThrow({ where: { orgId, identifier: input.identifier } });
      await writeAudit(tx, orgId, {
        action: 'blueprint.updated',
        targetType: 'blueprint',
        targetId: input.identifier,
        details: { title: input.title, version: row.version },
      });
      return toBlueprintRecord(row);
    });
  }

  async countEntities(orgId: string, identifier: string): Promise<number> {
    return this.db.inTenant(orgId, (tx) => tx.entity.count({ where: { orgId, blueprint: identifier } }));
  }

  /** Blueprints whose relations target `identifier`, other than itself. */
  async findReferencing(orgId: string, identifier: string): Promise<string[]> {
    const rows = await this.db.inTenantSql(orgId, (client) =>
      client.query<{ identifier: string }>(
        `SELECT DISTINCT b.identifier FROM blueprints b, jsonb_each(b.relations) r
          WHERE b.org_id = $1 AND r.value->>'target' = $2 AND b.identifier <> $2 ORDER BY 1`,
        [orgId, identifier],
      ),
    );
    return rows.rows.map((row) => row.identifier);
  }

  /** Deletes the blueprint and, by cascade, its entities. Returns how many entities went with it, or null. */
  async delete(orgId: string, identifier: string): Promise<{ deletedEntities: number } | null> {
    return this.db.inTenant(
      orgId,
      async (tx) => {
        const deletedEntities = await tx.entity.count({ where: { orgId, blueprint: identifier } });
        const { count } = await tx.blueprint.deleteMany({ where: { orgId, identifier } });
        if (!count) return null;
        await writeAudit(tx, orgId, {
          action: 'blueprint.deleted',
          targetType: 'blueprint',
          targetId: identifier,
          details: { deletedEntities },
        });
        return { deletedEntities };
      },
      { timeoutMs: 120_000 },
    );
  }
}

function toColumns(input: BlueprintInput) {
  return {
    identifier: input.identifier,
    title: input.title,
    icon: input.icon ?? null,
    description: input.description ?? null,
    schema: input.schema as unknown as Prisma.InputJsonValue,
    relations: input.relations as unknown as Prisma.InputJsonValue,
  };
}

function toBlueprintRecord(row: {
  orgId: string;
  identifier: string;
  title: string;
  icon: string | null;
  description: string | null;
  schema: unknown;
  relations: unknown;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}): BlueprintRecord {
  return {
    orgId: row.orgId,
    identifier: row.identifier,
    title: row.title,
    icon: row.icon,
    description: row.description,
    schema: row.schema as BlueprintSchema,
    relations: row.relations as Record<string, RelationDefinition>,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
