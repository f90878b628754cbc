import type { BlueprintRecord, BlueprintRepository } from '@mooring/persistence';

/** The blueprints a run meets, read once per run. */
export class BlueprintCache {
  private readonly known = new Map<string, BlueprintRecord | null>();

  constructor(
    private readonly repository: Pick<BlueprintRepository, 'findMany'>,
    private readonly orgId: string,
  ) {}

  async load(identifiers: Iterable<string>): Promise<void> {
    const missing = [...identifiers].filter((identifier) => !this.known.has(identifier));
    if (!missing.length) return;
    const found = await this.repository.findMany(this.orgId, missing);
    for (const identifier of missing) this.known.set(identifier, found.find((b) => b.identifier === identifier) ?? null);
  }

  get(identifier: string): BlueprintRecord | undefined {
    return this.known.get(identifier) ?? undefined;
  }
}
