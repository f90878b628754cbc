import { describe, expect, it } from 'vitest';
import type { BlueprintRecord } from '@mooring/persistence';
import { BlueprintCache } from './blueprint-cache.js';
import { parseMapping } from '../mapping/index.js';
import { ResourceTally } from '../tally/resource-tally.js';
import { transformPage } from './transform-page.js';

const comment: BlueprintRecord = {
  orgId: '00000000-0000-0000-0000-000000000001',
  identifier: 'comment',
  title: 'Comment',
  icon: null,
  description: null,
  schema: { properties: { text: { type: 'string' } } },
  relations: {},
  version: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};
const blueprints = () =>
  new BlueprintCache({ findMany: (_org, ids) => Promise.resolve(ids.includes('comment') ? [comment] : []) }, comment.orgId);

const issue = (key: string, comments: Array<{ id: number; text: string; author?: string }>) => ({
  key,
  fields: { summary: `Issue ${key}`, comments },
});

describe('transformPage', () => {
  it('expands itemsToParse into one item per element, without the array in the parent copy', async () => {
    const [resource] = (
      await parseMapping({
        resources: [
          {
            kind: 'issue',
            selector: { query: 'comment.author != "bot"' },
            port: {
              itemsToParse: 'fields.comments',
              itemsToParseName: 'comment',
              entity: {
                mappings: {
                  identifier: 'key & "-" & $string(comment.id)',
                  blueprint: '"comment"',
                  title: 'fields.summary',
                  properties: { text: 'comment.text', parentKeys: '$keys(fields)' },
                },
              },
            },
          },
        ],
      })
    ).resources;
    const tally = new ResourceTally();
    const entities = await transformPage(
      [
        issue('A-1', [
          { id: 1, text: 'first', author: 'ann' },
          { id: 2, text: 'beep', author: 'bot' },
        ]),
        issue('A-2', [{ id: 3, text: 'third', author: 'cat' }]),
        issue('A-3', []),
      ],
      resource!,
      blueprints(),
      tally,
    );
    expect(entities).toEqual([
      expect.objectContaining({ identifier: 'A-1-1', title: 'Issue A-1', properties: { text: 'first', parentKeys: 'summary' } }),
      expect.objectContaining({ identifier: 'A-2-3', properties: { text: 'third', parentKeys: 'summary' } }),
    ]);
    expect(tally.counts).toMatchObject({ transformed: 2, filteredOut: 1, transformFailed: 0 });
  });

  it('fails, counts and samples a selector that is not a boolean, and a blueprint that does not exist', async () => {
    const [selecting, mapping] = (
      await parseMapping({
        resources: [
          {
            kind: 'issue',
            selector: { query: 'fields.comments' },
            port: { entity: { mappings: { identifier: 'key', blueprint: '"comment"' } } },
          },
          { kind: 'issue', port: { entity: { mappings: { identifier: 'key', blueprint: 'key = "B" ? "nope" : "comment"' } } } },
        ],
      })
    ).resources;
    const items = [issue('A', [{ id: 1, text: 'x' }]), issue('B', [])];

    const selectorTally = new ResourceTally();
    expect(await transformPage(items, selecting!, blueprints(), selectorTally)).toEqual([]);
    expect(selectorTally.counts).toMatchObject({ transformed: 0, transformFailed: 2 });
    expect(selectorTally.samples.map((s) => s.reason)).toEqual([
      'the selector must evaluate to true or false, not an array ([{"id":1,"text":"x"}])',
      'the selector must evaluate to true or false, not an array ([])',
    ]);

    const mappingTally = new ResourceTally();
    const entities = await transformPage(items, mapping!, blueprints(), mappingTally);
    expect(entities.map((e) => e.identifier)).toEqual(['A']);
    expect(mappingTally.counts).toMatchObject({ transformed: 1, transformFailed: 1 });
    expect(mappingTally.samples).toEqual([
      {
        phase: 'transform',
        reason: 'blueprint "nope" does not exist',
        field: 'resources[1].port.entity.mappings.blueprint',
        identifier: 'B',
      },
    ]);
  });
});
