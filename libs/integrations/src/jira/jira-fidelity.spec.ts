import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../integration-definition.js';
import { fieldsRead, inSchema } from '../toolkit/testing/mapping-fields.js';
import { jira } from './jira.definition.js';

// Every field the default mapping reads exists in Atlassian's published response schemas
// (fixtures/openapi-schemas.json: our reduction of the Jira platform and software descriptions).

const { schemas } = JSON.parse(fs.readFileSync(new URL('./fixtures/openapi-schemas.json', import.meta.url), 'utf8')) as {
  schemas: Record<string, JsonObject>;
};
const s = (name: string) => schemas[name]!;

/** Each kind's item: the schema Jira lists it with, plus what Mooring adds (`__projectKey`, `__members`). */
const ITEMS: Record<string, JsonObject> = {
  issue: { ...s('IssueBean'), fields: s('issueFields') },
  project: s('Project'),
  user: s('User'),
  // Mooring adds the members' account ids, read from PublicApiMembership.accountId.
  team: { ...s('PublicApiTeam'), __members: [s('PublicApiMembership')['accountId']!] },
  board: s('BoardPageItem'),
  sprint: s('SprintBean'),
  release: { ...s('Version'), __projectKey: 'string' },
  component: { ...s('ComponentWithIssueCount'), __projectKey: 'string' },
};

describe('Jira default mapping against the published schemas', () => {
  const resources = (jira.defaultMapping['resources'] as JsonObject[]).map((r) => [r['kind'] as string, r] as const);

  it.each(resources)('%s reads only fields Jira documents', (kind, resource) => {
    const item = ITEMS[kind];
    expect(item, `no schema for kind ${kind}`).toBeDefined();
    const mappings = ((resource['port'] as JsonObject)['entity'] as JsonObject)['mappings'] as JsonObject;
    const read = fieldsRead(mappings);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((path) => !inSchema(item!, path)).map((path) => path.join('.'))).toEqual([]);
  });

  it('would notice a field Jira does not have', () => {
    expect(inSchema(ITEMS['issue']!, ['fields', 'status', 'statusCategory', 'name'])).toBe(true);
    expect(inSchema(ITEMS['issue']!, ['fields', 'storyPoints'])).toBe(false);
  });
});
