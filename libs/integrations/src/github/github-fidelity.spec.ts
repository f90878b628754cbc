import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../integration-definition.js';
import { fieldsRead, inSchema } from '../toolkit/testing/mapping-fields.js';
import { githubRepositoryBlueprints, githubRepositoryResources } from './github-repository-data-model.js';
import { github } from './github.definition.js';

// Every field the per-repository kinds' mapping resources read exists in GitHub's published
// response schemas (fixtures/openapi-kind-schemas.json: our reduction of GitHub's REST OpenAPI
// description), and every resource fits the blueprint it writes, as the registry checks the
// default mapping.

const { schemas } = JSON.parse(fs.readFileSync(new URL('./fixtures/openapi-kind-schemas.json', import.meta.url), 'utf8')) as {
  schemas: Record<string, JsonObject>;
};
const s = (name: string) => schemas[name]!;
const inRepository = { __repository: 'string' };

/** Each kind's item: the schema GitHub lists it with, plus what Mooring adds (`__repository`, …). */
const ITEMS: Record<string, JsonObject> = {
  branch: { ...s('short-branch'), ...inRepository },
  tag: { ...s('tag'), ...inRepository },
  environment: { ...s('environment'), ...inRepository },
  'deployment-status': { ...s('deployment-status'), ...inRepository, __deployment: 'integer', __ref: 'string' },
  'dependabot-alert': { ...s('dependabot-alert'), ...inRepository },
  'code-scanning-alert': { ...s('code-scanning-alert-items'), ...inRepository },
  file: { ...s('content-file'), ...inRepository, __content: 'string', __truncated: 'boolean' },
  collaborator: { ...s('collaborator'), ...inRepository },
  user: s('simple-user'),
};

const mappingsOf = (resource: JsonObject) => ((resource['port'] as JsonObject)['entity'] as JsonObject)['mappings'] as JsonObject;
const userResource = (github.defaultMapping['resources'] as JsonObject[]).find((resource) => resource['kind'] === 'user')!;
const resources = [...githubRepositoryResources, userResource].map((r) => [r['kind'] as string, r] as const);

describe('GitHub per-repository mapping resources against the published schemas', () => {
  it.each(resources)('%s reads only fields GitHub documents', (kind, resource) => {
    const item = ITEMS[kind];
    expect(item, `no schema for kind ${kind}`).toBeDefined();
    const read = fieldsRead(mappingsOf(resource));
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((path) => !inSchema(item!, path)).map((path) => path.join('.'))).toEqual([]);
  });

  it('would notice a field GitHub does not have', () => {
    expect(inSchema(ITEMS['dependabot-alert']!, ['security_vulnerability', 'first_patched_version', 'identifier'])).toBe(true);
    expect(inSchema(ITEMS['dependabot-alert']!, ['security_advisory', 'score'])).toBe(false);
  });

  it('writes blueprints created at install: every mapped property and relation theirs, every required one mapped', () => {
    const created = new Set(github.defaultBlueprints.map((blueprint) => blueprint.identifier));
    for (const blueprint of githubRepositoryBlueprints) expect([...created]).toContain(blueprint.identifier);
    for (const [kind, resource] of resources) {
      expect(Object.keys(github.kinds), kind).toContain(kind);
      const mappings = mappingsOf(resource);
      const identifier = /^"(.+)"$/.exec(mappings['blueprint'] as string)?.[1];
      const target = github.defaultBlueprints.find((blueprint) => blueprint.identifier === identifier);
      expect(target, `${kind} → ${identifier}`).toBeDefined();
      const properties = Object.keys((mappings['properties'] ?? {}) as JsonObject);
      const relations = Object.keys((mappings['relations'] ?? {}) as JsonObject);
      expect(properties.filter((p) => !(p in target!.schema.properties))).toEqual([]);
      expect(relations.filter((r) => !(r in (target!.relations ?? {})))).toEqual([]);
      expect((target!.schema.required ?? []).filter((p) => !properties.includes(p))).toEqual([]);
      for (const relation of Object.values(target!.relations ?? {})) expect([...created]).toContain(relation.target);
    }
  });
});
