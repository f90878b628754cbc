import type { JsonObject } from '../integration-definition.js';

// The fake tool's data: deterministic items per kind, so every run of a test or benchmark sees the
// same content. Teams own services; deployments belong to services. An item's content changes only
// when its revision is bumped, and removed items disappear from listings.

export const TWIN_KINDS = ['team', 'service', 'deployment'] as const;
export type TwinKind = (typeof TWIN_KINDS)[number];

const LANGUAGES = ['typescript', 'go', 'python', 'java', 'rust'];
const ENVIRONMENTS = ['production', 'staging', 'development'];
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'failed', 'running'];
const EPOCH = Date.UTC(2026, 0, 1);

export function twinItemId(kind: TwinKind, index: number): string {
  switch (kind) {
    case 'team':
      return `team-${index}`;
    case 'service':
      return `svc-${index}`;
    case 'deployment':
      return `dep-${index}`;
  }
}

/** The item of `kind` at `index`, as the fake tool's API returns it. */
export function twinItem(
  kind: TwinKind,
  index: number,
  counts: Readonly<Record<TwinKind, number>>,
  revision: number,
): JsonObject {
  switch (kind) {
    case 'team':
      return {
        id: twinItemId('team', index),
        name: `Team ${index}`,
        slug: `team-${index}`,
        members: 3 + (index % 7),
        revision,
      };
    case 'service': {
      const team = counts.team > 0 ? index % counts.team : null;
      return {
        id: twinItemId('service', index),
        name: `Service ${index}`,
        description: `Handles part ${index} of the product (revision ${revision})`,
        url: `https://svc-${index}.example.test`,
        language: LANGUAGES[index % LANGUAGES.length]!,
        tier: 1 + (index % 3),
        team_id: team === null ? null : twinItemId('team', team),
        tags: [`tier-${1 + (index % 3)}`, LANGUAGES[index % LANGUAGES.length]!],
        owner_email: `owner-${index % 50}@example.test`,
        archived: false,
        revision,
      };
    }
    case 'deployment': {
      const service = counts.service > 0 ? index % counts.service : null;
      return {
        id: twinItemId('deployment', index),
        service_id: service === null ? null : twinItemId('service', service),
        environment: ENVIRONMENTS[index % ENVIRONMENTS.length]!,
        status: STATUSES[index % STATUSES.length]!,
        version: `1.${index % 40}.${revision}`,
        deployed_at: new Date(EPOCH + index * 60_000 + revision * 1_000).toISOString(),
        duration_seconds: 30 + (index % 300),
        revision,
      };
    }
  }
}
