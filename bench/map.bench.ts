import { parseArgs } from 'node:util';
import { fakeIntegration, fakeItem } from '@mooring/integrations/testing';
import { parseMapping } from '@mooring/sync';

// npm run bench -- map --items 100000
// The transform alone, on one core: the fake tool's service items through (a) the default mapping,
// whose leaves are plain paths read directly, and (b) a 12-field mapping plus selector where every
// leaf needs the JSONata interpreter (one compiled object expression per item).

const { values } = parseArgs({ options: { items: { type: 'string', default: '100000' } } });
const items = Number(values.items);
const counts = { team: Math.max(1, Math.floor(items / 100)), service: items, deployment: 0 };
const source = Array.from({ length: items }, (_, i) => fakeItem('service', i, counts, 0));

const defaults = fakeIntegration.defaultMapping as { resources: unknown[] };
const jsonataHeavy = {
  resources: [
    {
      kind: 'service',
      selector: { query: '$not(archived) and tier <= 3' },
      port: {
        entity: {
          mappings: {
            identifier: '$lowercase(id)',
            title: '$trim(name)',
            blueprint: '"fakeService"',
            team: '[team_id]',
            properties: {
              description: '$substring(description, 0, 200)',
              url: '$replace(url, "http://", "https://")',
              language: '$lowercase(language)',
              tier: '$number(tier)',
              tags: '$map(tags, function($t) { "tag:" & $t })',
              ownerEmail: '$lowercase(owner_email)',
              revision: 'revision + 0',
            },
            relations: { team: 'team_id ? team_id : null' },
          },
        },
      },
    },
  ],
};

for (const [name, mapping] of [
  ['defaultMapping', { resources: [defaults.resources[1]] }],
  ['jsonata12Fields', jsonataHeavy],
] as const) {
  const resource = parseMapping(mapping).resources[0]!;
  const started = performance.now();
  let mapped = 0;
  let firstFailure: string | undefined;
  for (const item of source) {
    if (resource.selector && (await resource.selector.expression.evaluate(item)) !== true) continue;
    const result = await resource.mapper.map(item);
    if (result.outcome === 'entity') mapped++;
    else firstFailure ??= `${JSON.stringify(item['id'])}: ${result.field}: ${result.reason}`;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ scenario: name, items, mapped, seconds: Number(seconds.toFixed(2)), itemsPerSec: Math.round(items / seconds) })}\n`,
  );
}
