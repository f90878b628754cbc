import { parseArgs } from 'node:util';
import { fakeIntegration, fakeItem } from '@mooring/integrations';
import { MappingPool, parseMapping } from '@mooring/sync';

// npm run bench -- map --items 100000
// The mapping stage alone, as a sync runs it: the fake tool's service items in pages of 100 through
// a pool of ONE worker thread (so the rate is per core), each page one task. Scenarios: the fake
// integration's default service mapping (paths and a literal); a 12-field JSONata mapping plus
// selector (`$lowercase`, `$replace`, `$map` with a lambda, arithmetic, conditionals), compiled to
// closures; the same mapping in JQ (Port's dialect) on jq-wasm, one jq program per page.

const { values } = parseArgs({ options: { items: { type: 'string', default: '100000' } } });
const items = Number(values.items);
const PAGE = 100;
const counts = { team: Math.max(1, Math.floor(items / 100)), service: items, deployment: 0 };
const source = Array.from({ length: items }, (_, i) => fakeItem('service', i, counts, 0));

const defaults = fakeIntegration.defaultMapping as { resources: unknown[] };
const jsonata12Fields = {
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
const jq12Fields = {
  language: 'jq',
  resources: [
    {
      kind: 'service',
      selector: { query: '(.archived | not) and .tier <= 3' },
      port: {
        entity: {
          mappings: {
            identifier: '.id | ascii_downcase',
            title: '.name | trim',
            blueprint: '"fakeService"',
            team: '[.team_id]',
            properties: {
              description: '.description[0:200]',
              url: '.url | sub("http://"; "https://")',
              language: '.language | ascii_downcase',
              tier: '.tier | tonumber',
              tags: '.tags | map("tag:" + .)',
              ownerEmail: '.owner_email | ascii_downcase',
              revision: '.revision + 0',
            },
            relations: { team: 'if .team_id then .team_id else null end' },
          },
        },
      },
    },
  ],
};

const pool = new MappingPool({ threads: 1 });
try {
  for (const [name, mapping] of [
    ['defaultMapping', { resources: [defaults.resources[1]] }],
    ['jsonata12Fields', jsonata12Fields],
    ['jq12Fields', jq12Fields],
  ] as const) {
    const resource = (await parseMapping(mapping, { pool })).resources[0]!;
    await resource.mapPage(source.slice(0, PAGE)); // the worker started, the mapping compiled
    const started = performance.now();
    let mapped = 0;
    let firstFailure: string | undefined;
    for (let offset = 0; offset < items; offset += PAGE) {
      const { outcomes } = await resource.mapPage(source.slice(offset, offset + PAGE));
      for (const outcome of outcomes) {
        if (outcome.outcome === 'entity') mapped++;
        else if (outcome.outcome === 'failed') firstFailure ??= `${outcome.field}: ${outcome.reason}`;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${JSON.stringify({ scenario: name, items, mapped, seconds: Number(seconds.toFixed(2)), itemsPerSec: Math.round(items / seconds), ...(firstFailure ? { firstFailure } : {}) })}\n`,
    );
  }
} finally {
  await pool.close();
}
