import { hash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { MappedEntity } from '../mapping/index.js';

/** Port's request cap per entity; a larger mapped entity is an ingest failure, not a write. */
export const MAX_ENTITY_BYTES = 1024 * 1024;

/**
 * The stable hash of what a sync writes for an entity (key order does not matter). Whether the
 * write merges is part of it: switching enableMergeEntity must rewrite entities once.
 */
export function contentHash(entity: MappedEntity, merge: boolean): { hash: string; bytes: number } {
  // UTF-16 length: equal to the UTF-8 size for ASCII, within 3x otherwise; a cap, not an account.
  // An object always stringifies (undefined is only for undefined input).
  const canonical = stringify({
    title: entity.title,
    icon: entity.icon,
    team: entity.team,
    properties: entity.properties,
    relations: entity.relations,
    merge,
  })!;
  return { hash: hash('sha256', canonical, 'base64url'), bytes: canonical.length };
}
