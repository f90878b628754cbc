import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../integration-definition.js';
import { fieldsRead, inSchema } from '../toolkit/testing/mapping-fields.js';
import { pagerduty } from './pagerduty.definition.js';

// Every field the default mapping reads exists in PagerDuty's published response schema
// (fixtures/openapi-schemas.json: our reduction of PagerDuty's OpenAPI description).

const { schemas } = JSON.parse(fs.readFileSync(new URL('./fixtures/openapi-schemas.json', import.meta.url), 'utf8')) as {
  schemas: Record<string, JsonObject>;
};
const s = (name: string) => schemas[name]!;

/** Each kind's item: the schema PagerDuty lists it with, plus what the kind asks to include and Mooring adds. */
const ITEMS: Record<string, JsonObject> = {
  // include[]=escalation_policies returns the whole policy in place of the reference.
  service: { ...s('Service'), escalation_policy: s('EscalationPolicy'), __oncall: [{ ...s('Oncall'), user: s('User') }] },
  incident: s('Incident'),
  schedule: s('Schedule'),
  // include[]=users returns whole users in place of references.
  oncall: { ...s('Oncall'), user: s('User') },
  'escalation-policy': s('EscalationPolicy'),
  user: s('User'),
  // GET /teams/{id}/members answers `members: [{ user: UserReference, role }]`.
  team: { ...s('Team'), __members: [{ user: s('Oncall')['user'] as JsonObject, role: 'string' }] },
};

describe('PagerDuty default mapping against the published schema', () => {
  const resources = (pagerduty.defaultMapping['resources'] as JsonObject[]).map((r) => [r['kind'] as string, r] as const);

  it.each(resources)('%s reads only fields PagerDuty documents', (kind, resource) => {
    const item = ITEMS[kind];
    expect(item, `no schema for kind ${kind}`).toBeDefined();
    const mappings = ((resource['port'] as JsonObject)['entity'] as JsonObject)['mappings'] as JsonObject;
    const read = fieldsRead(mappings);
    expect(read.length).toBeGreaterThan(0);
    const missing = read.filter((path) => !inSchema(item!, path)).map((path) => path.join('.'));
    expect(missing).toEqual([]);
  });

  it('would notice a field PagerDuty does not have', () => {
    expect(fieldsRead({ title: 'incident_name', url: 'service.html_url' })).toEqual([['incident_name'], ['service', 'html_url']]);
    expect(inSchema(ITEMS['incident']!, ['incident_name'])).toBe(false);
    expect(inSchema(ITEMS['incident']!, ['service', 'html_url'])).toBe(true);
    expect(fieldsRead({ x: '[__oncall[escalation_level = 1].user.email]' })).toEqual(
      expect.arrayContaining([
        ['__oncall', 'escalation_level'],
        ['__oncall', 'user', 'email'],
      ]),
    );
  });
});
