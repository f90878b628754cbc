import fs from 'node:fs';
import jsonata from 'jsonata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../integration-definition.js';
import { pageItems } from '../integration-definition.js';
import { testConnection } from '../toolkit/testing/test-connection.js';
import { gitlabDefaultMapping } from './gitlab-data-model.js';
import { gitlabKinds } from './gitlab-kinds.js';
import { FakeGitlab } from './testing/fake-gitlab.server.js';

// The fidelity check: the default mapping reads only fields GitLab's published response schemas
// have (our trimmed copy, fixtures/gitlab-api-schema.json), and the fake GitLab serves only such
// fields, so a test passing against the fake says something about GitLab.

type SchemaNode = string | SchemaNode[] | { [field: string]: SchemaNode };
const schema = JSON.parse(fs.readFileSync(new URL('./fixtures/gitlab-api-schema.json', import.meta.url), 'utf8')) as {
  entities: Record<string, Record<string, SchemaNode>>;
  kinds: Record<string, string>;
};

/** The schema node at a path, following named entities (`UserBasic|null`) and arrays; undefined when absent. */
function resolve(node: SchemaNode | undefined, path: readonly string[]): SchemaNode | undefined {
  if (node === undefined || !path.length) return node;
  if (Array.isArray(node)) return resolve(node[0], path);
  if (typeof node === 'string') {
    const entity = node.split('|')[0]!;
    if (entity === 'object') return 'object'; // a free-form map holds any key
    return schema.entities[entity] ? resolve(schema.entities[entity], path) : undefined;
  }
  return resolve(node[path[0]!], path.slice(1));
}

/** The field paths a JSONata expression reads from its input (steps of names, from the root). */
function fieldPaths(expression: string): string[][] {
  const paths: string[][] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Record<string, unknown> & { type?: string; steps?: Array<{ type: string; value: string }> };
    if (n.type === 'path' && n.steps) {
      const names: string[] = [];
      for (const step of n.steps) {
        if (step.type !== 'name') break;
        names.push(step.value);
      }
      if (names.length) paths.push(names);
      n.steps.forEach((step) => visit({ ...step, type: step.type === 'name' ? 'step' : step.type }));
      return;
    }
    if (n.type === 'name') paths.push([String(n['value'])]);
    for (const [key, value] of Object.entries(n)) if (key !== 'type' && key !== 'value') visit(value);
  };
  visit(jsonata(expression).ast());
  return paths;
}

function leaves(mappings: JsonObject): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(mappings)) {
    if (key === 'blueprint') continue;
    if (typeof value === 'string') found.push(value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) found.push(...leaves(value));
  }
  return found;
}

/** Every field path of an item (arrays looked into), for checking against the schema. */
function itemPaths(value: JsonValue, prefix: string[] = []): string[][] {
  if (Array.isArray(value)) return value.flatMap((element) => itemPaths(element, prefix));
  if (!value || typeof value !== 'object') return prefix.length ? [prefix] : [];
  const paths: string[][] = prefix.length ? [prefix] : [];
  for (const [key, child] of Object.entries(value)) paths.push(...itemPaths(child, [...prefix, key]));
  return paths;
}

const resources = gitlabDefaultMapping['resources'] as JsonObject[];

describe('GitLab fidelity: the default mapping and the fake against GitLab’s published response schemas', () => {
  it.each(resources.map((resource) => [resource['kind'] as string, resource] as const))(
    'every field the %s mapping reads is in GitLab’s schema',
    (kind, resource) => {
      const entity = schema.kinds[kind];
      expect(entity, `schema entity for ${kind}`).toBeDefined();
      const mappings = ((resource['port'] as JsonObject)['entity'] as JsonObject)['mappings'] as JsonObject;
      const read = leaves(mappings).flatMap(fieldPaths);
      expect(read.length).toBeGreaterThan(0);
      // Fields Mooring adds (`__project`, `__languages`, …) are not GitLab's.
      const missing = read
        .filter((path) => !path[0]!.startsWith('__'))
        .filter((path) => resolve(schema.entities[entity!], path) === undefined)
        .map((path) => path.join('.'));
      expect(missing).toEqual([]);
    },
  );

  it('finds a field the schema lacks (the check can fail)', () => {
    const read = fieldPaths('namespace.owner & merged_at');
    expect(read).toEqual([['namespace', 'owner'], ['merged_at']]);
    expect(resolve(schema.entities['Project'], ['namespace', 'owner'])).toBeUndefined();
    expect(resolve(schema.entities['MergeRequestBasic'], ['author', 'username'])).toBe('string');
  });

  describe('the fake GitLab', () => {
    let fake: FakeGitlab;
    beforeAll(async () => {
      fake = await FakeGitlab.start({ shape: { projects: 2 } });
      fake.addToken('glpat-fidelity', { username: 'u', scopes: ['read_api'] });
    });
    afterAll(() => fake.close());

    it.each(Object.keys(schema.kinds))('serves %s items with GitLab’s fields only', async (kind) => {
      const connection = testConnection({ host: fake.host, group: fake.rootGroup }, 'glpat-fidelity');
      const items: JsonObject[] = [];
      for await (const page of gitlabKinds[kind]!.extract(connection, kind.includes('member') ? { includeBotMembers: true } : {}))
        items.push(...pageItems(page));
      expect(items.length).toBeGreaterThan(0);
      const entity = schema.entities[schema.kinds[kind]!]!;
      const unknown = new Set(
        items
          .flatMap((item) => itemPaths(item))
          .filter((path) => !path[0]!.startsWith('__'))
          .filter((path) => resolve(entity, path) === undefined)
          .map((path) => path.join('.')),
      );
      expect([...unknown]).toEqual([]);
    });
  });
});
