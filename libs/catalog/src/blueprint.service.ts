import { Injectable } from '@nestjs/common';
import { DomainError, parseInput, unsafePatternReason, validationError, type FieldIssue } from '@mooring/platform';
import { BlueprintRepository, type BlueprintRecord } from '@mooring/persistence';
import { blueprintBody, type BlueprintBody } from './blueprint.schema.js';

@Injectable()
export class BlueprintService {
  constructor(private readonly blueprints: BlueprintRepository) {}

  async list(orgId: string): Promise<BlueprintRecord[]> {
    return this.blueprints.list(orgId);
  }

  async get(orgId: string, identifier: string): Promise<BlueprintRecord> {
    const blueprint = await this.blueprints.find(orgId, identifier);
    if (!blueprint) throw notFound(identifier);
    return blueprint;
  }

  async create(orgId: string, body: BlueprintBody): Promise<BlueprintRecord> {
    assertLinearPatterns(body);
    await this.assertRelationTargets(orgId, body);
    const created = await this.blueprints.create(orgId, body);
    if (!created) {
      throw new DomainError('CONFLICT', `Blueprint "${body.identifier}" already exists`, {
        resource: 'blueprint',
        identifier: body.identifier,
      });
    }
    return created;
  }

  /** Replaces a blueprint's definition; existing entities are checked against it on their next write. */
  async update(orgId: string, identifier: string, body: BlueprintBody): Promise<BlueprintRecord> {
    if (body.identifier !== identifier) {
      throw validationError([{ field: 'identifier', message: `must match the path ("${identifier}")` }], 'blueprint');
    }
    assertLinearPatterns(body);
    await this.assertRelationTargets(orgId, body);
    const updated = await this.blueprints.update(orgId, body);
    if (!updated) throw notFound(identifier);
    return updated;
  }

  /**
   * Deletes a blueprint. One with entities needs `deleteEntities` (they go with it); one that other
   * blueprints relate to cannot be deleted until their relations are removed.
   */
  async delete(orgId: string, identifier: string, options: { deleteEntities: boolean }): Promise<{ deletedEntities: number }> {
    await this.get(orgId, identifier);
    const referencing = await this.blueprints.findReferencing(orgId, identifier);
    if (referencing.length) {
      throw new DomainError('CONFLICT', `Blueprints ${referencing.join(', ')} relate to "${identifier}"`, {
        reason: 'referenced_by_blueprints',
        blueprints: referencing,
      });
    }
    const entities = await this.blueprints.countEntities(orgId, identifier);
    if (entities > 0 && !options.deleteEntities) {
      throw new DomainError(
        'CONFLICT',
        `Blueprint "${identifier}" has ${entities} entities; pass delete_entities=true to delete them with it`,
        { reason: 'has_entities', entities },
      );
    }
    const deleted = await this.blueprints.delete(orgId, identifier);
    if (!deleted) throw notFound(identifier);
    return deleted;
  }

  /**
   * Creates the blueprints an integration needs that the organization does not have yet (install
   * time). Blueprints it already has are left as the organization shaped them. Created in two
   * steps, bare then with relations, so blueprints may relate to each other in any order.
   * Returns the identifiers it created.
   */
  async ensureBlueprints(orgId: string, definitions: readonly unknown[]): Promise<string[]> {
    const bodies = definitions.map((definition) => parseInput(blueprintBody, definition, 'default blueprint'));
    const existing = new Set(
      (
        await this.blueprints.findMany(
          orgId,
          bodies.map((body) => body.identifier),
        )
      ).map((b) => b.identifier),
    );
    const missing = bodies.filter((body) => !existing.has(body.identifier));
    for (const body of missing) {
      // Another installation may be creating the same defaults right now: an existing one is fine.
      await this.blueprints.create(orgId, { ...body, relations: {} });
    }
    for (const body of missing.filter((b) => Object.keys(b.relations).length)) {
      await this.assertRelationTargets(orgId, body);
      await this.blueprints.update(orgId, body);
    }
    return missing.map((body) => body.identifier);
  }

  private async assertRelationTargets(orgId: string, body: BlueprintBody): Promise<void> {
    const targets = [...new Set(Object.values(body.relations).map((relation) => relation.target))].filter(
      (target) => target !== body.identifier,
    );
    if (!targets.length) return;
    const found = new Set((await this.blueprints.findMany(orgId, targets)).map((blueprint) => blueprint.identifier));
    const issues: FieldIssue[] = Object.entries(body.relations)
      .filter(([, relation]) => relation.target !== body.identifier && !found.has(relation.target))
      .map(([name, relation]) => ({
        field: `relations.${name}.target`,
        message: `blueprint "${relation.target}" does not exist`,
      }));
    if (issues.length) throw validationError(issues, 'blueprint');
  }
}

/**
 * Entities are checked against `pattern`s on RE2 (linear time, see EntityValidator): a pattern RE2
 * cannot run (lookarounds, backreferences) is refused when the blueprint is saved.
 */
function assertLinearPatterns(body: BlueprintBody): void {
  const issues: FieldIssue[] = [];
  for (const [name, property] of Object.entries(body.schema.properties)) {
    const reason = property.pattern === undefined ? undefined : unsafePatternReason(property.pattern, 'u');
    if (reason) issues.push({ field: `schema.properties.${name}.pattern`, message: `is not supported: ${reason}` });
  }
  if (issues.length) throw validationError(issues, 'blueprint');
}

function notFound(identifier: string): DomainError {
  return new DomainError('NOT_FOUND', `Blueprint "${identifier}" not found`, { resource: 'blueprint', identifier });
}
