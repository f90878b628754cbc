// Records of the catalog (blueprints and entities) and of sync runs, as the repositories return them.

export type JsonRecord = Readonly<Record<string, unknown>>;

export interface RelationDefinition {
  readonly target: string;
  readonly title?: string;
  readonly many: boolean;
  readonly required: boolean;
}

export interface BlueprintSchema {
  readonly properties: Readonly<Record<string, JsonRecord>>;
  readonly required?: readonly string[];
}

export interface BlueprintRecord {
  readonly orgId: string;
  readonly identifier: string;
  readonly title: string;
  readonly icon: string | null;
  readonly description: string | null;
  readonly schema: BlueprintSchema;
  readonly relations: Readonly<Record<string, RelationDefinition>>;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface BlueprintInput {
  readonly identifier: string;
  readonly title: string;
  readonly icon?: string | null;
  readonly description?: string | null;
  readonly schema: BlueprintSchema;
  readonly relations: Readonly<Record<string, RelationDefinition>>;
}

/** A relation value: one target identifier, several, or none. */
export type RelationValue = string | readonly string[] | null;

export interface EntityRecord {
  readonly blueprint: string;
  readonly identifier: string;
  readonly title: string | null;
  readonly icon: string | null;
  readonly team: readonly string[];
  readonly properties: JsonRecord;
  readonly relations: Readonly<Record<string, RelationValue>>;
  readonly installationId: string | null;
  readonly resourceKey: string | null;
  readonly placeholder: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An entity to write. Absent fields are kept as stored when merging. */
export interface EntityInput {
  readonly blueprint: string;
  readonly identifier: string;
  readonly title?: string | null;
  readonly icon?: string | null;
  readonly team?: readonly string[];
  readonly properties: JsonRecord;
  readonly relations: Readonly<Record<string, RelationValue>>;
}

/** An entity a sync mapped, with the hash of its content (the skip-if-unchanged guard). */
export interface SyncEntityInput extends EntityInput {
  readonly contentHash: string;
}

export interface EntityKey {
  readonly blueprint: string;
  readonly identifier: string;
}

export interface EntityListQuery {
  readonly limit: number;
  /** The identifier after which the page starts (keyset pagination). */
  readonly after?: string;
  /** Case-insensitive substring of the identifier or title. */
  readonly search?: string;
  readonly installationId?: string;
}

export interface DeleteEntitiesResult {
  /** Every entity deleted, including dependents deleted with them. */
  readonly deleted: readonly EntityKey[];
  /** Entities kept because another entity requires them (and dependents were not to be deleted). */
  readonly blocked: readonly (EntityKey & { readonly requiredBy: EntityKey })[];
}
