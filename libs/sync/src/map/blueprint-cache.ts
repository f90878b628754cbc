import { blueprintIdentifier } from '@mooring/contract';
import type { BlueprintRecord, BlueprintRepository } from '@mooring/persistence';

/** The blueprints a run meets, read once per run. */
export class BlueprintCache {
  private readonly known = new Map<string, BlueprintRecord | null>();

  constructor(
    private readonly repository: Pick<BlueprintRepository, 'findMany'>,
    private readonly orgId: string,
  ) {}

  async load(identifiers: Iterable<string>): Promise<void> {
    const missing: string[] = [];
    for (const identifier of identifiers) {
      if (this.known.has(identifier)) continue;
      // A name no blueprint can have (a mapping may produce anything, even a NUL) is not looked up.
      if (blueprintIdentifier.safeParse(identifier).success) missing.push(identifier);
      else this.known.set(identifier, null);
    }
    if (!missing.length) return;
    const found = new Map((await this.repository.findMany(this.orgId, missing)).map((b) => [b.identifier, b]));
    for (const identifier of missing) this.known.set(identifier, found.get(identifier) ?? null);
  }

  get(identifier: string): BlueprintRecord | undefined {
    return this.known.get(identifier) ?? undefined;
  }
}
