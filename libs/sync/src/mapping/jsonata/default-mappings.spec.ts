import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAKE_KINDS, INTEGRATIONS, fakeItem } from '@mooring/integrations';
import type { ItemOutcome } from '../entity-shape.js';
import { mappingSchema } from '../mapping.schema.js';
import { JsonataResource } from './jsonata-resource.js';

// Every default mapping maps the same compiled as with JSONata's interpreter alone: the tools'
// real item shapes (GitHub's OpenAPI examples, the fake tool's items), and the same items with
// fields removed, nulled or retyped, through every resource of every integration's mapping.

const githubExamples = JSON.parse(
  fs.readFileSync(new URL('../../../../integrations/src/github/fixtures/openapi-examples.json', import.meta.url), 'utf8'),
) as { routes: Record<string, { example: unknown }> };

function realItems(): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  for (const { example } of Object.values(githubExamples.routes)) {
    const list = Array.isArray(example)
      ? example
      : example && typeof example === 'object'
        ? (Object.values(example).find(Array.isArray) ?? [example])
        : [];
    for (const element of list as Array<Record<string, unknown>>) {
      items.push({
        ...element,
        __repository: 'octo/hello',
        __organization: 'octo',
        __members: [{ login: 'ann' }, { login: 'bo' }],
      });
    }
  }
  const counts = { team: 3, service: 5, deployment: 7 };
  for (const kind of FAKE_KINDS) for (let i = 0; i < 5; i++) items.push(fakeItem(kind, i, counts, i));
  return items;
}

const REPLACEMENTS: unknown[] = [null, '', 'text', 0, 42, 1.25, true, false, [], ['a', 'b'], { login: 'x' }, [{ name: 'n' }]];

/** Each item, then copies with one top-level field removed, nulled or given another type. */
function variants(items: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = [...items];
  for (const item of items) {
    const keys = Object.keys(item);
    for (let n = 0; n < 6 && keys.length; n++) {
      const key = keys[Math.floor(next() * keys.length)]!;
      const copy = { ...item };
      if (n % 3 === 0) delete copy[key];
      else copy[key] = REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)];
      out.push(copy);
    }
  }
  return out;
}

async function mapAll(resource: JsonataResource, items: readonly unknown[]): Promise<ItemOutcome[]> {
  const out: ItemOutcome[] = [];
  for (const [position, item] of items.entries()) await resource.mapItem(item, position, out);
  return out;
}

describe('default mappings, compiled and interpreted', () => {
  const items = variants(realItems());
  for (const integration of INTEGRATIONS) {
    it(`${integration.id}: every resource maps every item the same way`, async () => {
      const config = mappingSchema.parse(integration.defaultMapping);
      let entities = 0;
      for (const [index, resource] of config.resources.entries()) {
        const compiled = await mapAll(new JsonataResource(resource, index), items);
        const interpreted = await mapAll(new JsonataResource(resource, index, { compile: false }), items);
        expect(JSON.parse(JSON.stringify(compiled)), `${integration.id} ${resource.kind}`).toEqual(
          JSON.parse(JSON.stringify(interpreted)),
        );
        entities += compiled.filter((o) => o.outcome === 'entity').length;
      }
      expect(entities).toBeGreaterThan(items.length / 2);
    });
  }
});
