import { loadJq, type Jq } from 'jq-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemOutcome } from '../entity-shape.js';
import { mappingSchema, type MappingConfig } from '../mapping.schema.js';
import { runMappingTask, type PageResult } from '../page-evaluation.js';
import { formatFilter, nestsQuantifiers } from './port-jq.js';

// Conformance: a corpus of JQ mappings in Port's style (paths, //, select, map, to_entries, string
// interpolation, test, split, join, ascii_downcase, strptime/mktime, tostring, if, slicing, Port's
// single quotes, itemsToParse) evaluated by Mooring — one composed program per page — gives the
// same entities as Ocean's way: the real jq, one call per leaf per item, first output, error → null.

const pullRequests = {
  language: 'jq',
  resources: [
    {
      kind: 'pull-request',
      selector: { query: '.state == "open" or .merged_at != null' },
      port: {
        entity: {
          mappings: {
            identifier: '.head.repo.name + (.number | tostring)',
            title: '.title // "untitled"',
            blueprint: "'githubPullRequest'",
            team: '[.requested_teams[]?.slug]',
            properties: {
              creator: '.user.login',
              status: 'if .merged_at != null then "merged" elif .state == "closed" then "closed" else "open" end',
              reviewers: '[.requested_reviewers[]?.login] | join(", ")',
              labels: '.labels | map(.name | ascii_downcase)',
              bugLabels: '[.labels[] | select(.name | test("^bug"; "i")) | .name]',
              link: '"\\(.base.repo.html_url)/pull/\\(.number)"',
              branchParts: '.head.ref | split("/")',
              shortSha: '.head.sha[0:7]',
              leadTimeHours:
                'if .merged_at then ((.merged_at | strptime("%Y-%m-%dT%H:%M:%SZ") | mktime) - (.created_at | strptime("%Y-%m-%dT%H:%M:%SZ") | mktime)) / 3600 | floor else null end',
              meta: '.metadata | to_entries | map("\\(.key)=\\(.value)") | join(",")',
              firstAssignee: '.assignees[0].login',
              sizeClass:
                'if (.additions + .deletions) > 500 then "large" elif (.additions + .deletions) > 50 then "medium" else "small" end',
              ownerHandle: '.user.login | ascii_downcase | ltrimstr("@")',
              env: '$ENV | length',
            },
            relations: { repository: '.base.repo.full_name', author: '.user.login' },
          },
        },
      },
    },
    {
      kind: 'pull-request',
      port: {
        itemsToParse: '.comments',
        entity: {
          mappings: {
            identifier: '(.number | tostring) + "-" + (.item.id | tostring)',
            blueprint: '"githubComment"',
            title: '.item.body[0:20]',
            properties: { author: '.item.user // "ghost"', pr: '.number', hasComments: '.comments != null' },
          },
        },
      },
    },
  ],
};

function pullRequest(n: number): Record<string, unknown> {
  const merged = n % 3 === 0;
  return {
    number: n,
    title: n % 5 === 0 ? null : `Fix ${n}: handle the thing`,
    state: n % 4 === 0 ? 'closed' : 'open',
    created_at: '2026-03-01T10:00:00Z',
    merged_at: merged ? `2026-03-0${1 + (n % 8)}T1${n % 10}:30:00Z` : null,
    user: n % 7 === 0 ? null : { login: n % 2 ? `Dev${n}` : `@dev${n}` },
    head: { ref: `feature/part-${n}/x`, sha: `abcdef${n}0123456789`, repo: { name: `repo${n % 3}` } },
    base: { repo: { full_name: `octo/repo${n % 3}`, html_url: `https://github.test/octo/repo${n % 3}` } },
    labels: n % 6 === 0 ? [] : [{ name: 'Bug-fix' }, { name: n % 2 ? 'UI' : 'bugs' }],
    requested_reviewers: n % 3 ? [{ login: 'ann' }, { login: 'bo' }] : [],
    requested_teams: n % 2 ? [{ slug: 'core' }] : null,
    assignees: n % 4 ? [{ login: `a${n}` }] : [],
    additions: n * 37,
    deletions: n * 3,
    metadata: n % 5 ? { priority: n % 3, area: 'api' } : null,
    comments:
      n % 4 === 1
        ? 'not a list'
        : Array.from({ length: n % 3 }, (_, i) => ({ id: i, body: `comment ${i} on ${n}`, user: i ? 'bo' : null })),
  };
}

/** Ocean's way: one jq call per leaf per item; first output; an error or no output is null. */
function oceanLeaf(jq: Jq, input: unknown, source: string): unknown {
  try {
    const outputs = jq.json(input as object, `def env: {}; {} as $ENV | ${formatFilter(source)}`);
    return outputs.length ? outputs[0] : null;
  } catch {
    return null;
  }
}

function oceanEntity(jq: Jq, resource: MappingConfig['resources'][number], item: unknown): Record<string, unknown> {
  const m = resource.port.entity.mappings;
  const entity: Record<string, unknown> = {
    identifier: String(oceanLeaf(jq, item, m.identifier)),
    blueprint: oceanLeaf(jq, item, m.blueprint),
  };
  if (m.title) entity['title'] = oceanLeaf(jq, item, m.title);
  if (m.team) entity['team'] = oceanLeaf(jq, item, m.team);
  entity['properties'] = Object.fromEntries(Object.entries(m.properties).map(([k, v]) => [k, oceanLeaf(jq, item, v)]));
  entity['relations'] = Object.fromEntries(Object.entries(m.relations).map(([k, v]) => [k, oceanLeaf(jq, item, v)]));
  return entity;
}

describe('JQ mappings (Port’s dialect) on the real jq', () => {
  let jq: Jq;
  const config = mappingSchema.parse(pullRequests);
  const items = Array.from({ length: 24 }, (_, n) => pullRequest(n + 1));
  const mapped = (resource: number) =>
    (runMappingTask({ kind: 'page', mapping: { hash: 'conformance', config }, resource, items }) as Promise<PageResult>).then(
      (r) => r.outcomes,
    );

  beforeAll(async () => {
    jq = await loadJq();
    expect(jq.version).toBe('jq-1.8.2');
  });

  it('maps a page as one program with the same entities as jq leaf by leaf (Ocean’s way)', async () => {
    const resource = config.resources[0]!;
    const outcomes = await mapped(0);
    const expected: unknown[] = [];
    for (const [position, item] of items.entries()) {
      const selected = oceanLeaf(jq, item, resource.selector.query);
      if (selected === false) expected.push({ item: position, outcome: 'filtered' });
      else expected.push({ item: position, outcome: 'entity', entity: oceanEntity(jq, resource, item) });
    }
    const comparable = outcomes.map((o) => {
      const { warnings: _warnings, ...rest } = o as ItemOutcome & { warnings?: unknown };
      return rest;
    });
    expect(comparable).toEqual(expected);
    expect(outcomes.filter((o) => o.outcome === 'entity').length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => o.outcome === 'filtered').length).toBeGreaterThan(0);
  });

  it('spot-checks Port’s semantics: //, interpolation, slicing, strptime/mktime, env stub, errors to null', async () => {
    const [first, , third] = (await mapped(0)) as Array<Extract<ItemOutcome, { outcome: 'entity' }>>;
    expect(first!.entity).toMatchObject({
      identifier: 'repo11',
      title: 'Fix 1: handle the thing',
      blueprint: 'githubPullRequest',
      team: ['core'],
      properties: {
        link: 'https://github.test/octo/repo1/pull/1',
        shortSha: 'abcdef1',
        branchParts: ['feature', 'part-1', 'x'],
        labels: ['bug-fix', 'ui'],
        bugLabels: ['Bug-fix'],
        reviewers: 'ann, bo',
        meta: 'priority=1,area=api',
        env: 0,
        leadTimeHours: null,
      },
    });
    expect(third!.entity.properties).toMatchObject({ status: 'merged', leadTimeHours: 75, firstAssignee: 'a3' });
    // A leaf that errs is null, and the mapping test shows why (Port calls it a misconfiguration).
    const outcomes = await mapped(0);
    const seventh = outcomes.find((o) => o.item === 6) as Extract<ItemOutcome, { outcome: 'entity' }>;
    expect(seventh.entity.properties['ownerHandle']).toBeNull();
    expect(seventh.warnings).toEqual([
      { field: 'resources[0].port.entity.mappings.properties.ownerHandle', reason: 'explode input must be a string' },
    ]);
  });

  it('expands itemsToParse like Ocean: one entity per element, the array removed from the parent', async () => {
    const resource = config.resources[1]!;
    const outcomes = await mapped(1);
    const expected: unknown[] = [];
    for (const [position, item] of items.entries()) {
      const elements = oceanLeaf(jq, item, '.comments');
      if (elements === null) continue;
      if (!Array.isArray(elements)) {
        expected.push({
          item: position,
          outcome: 'failed',
          code: 'INVALID_ENTITY',
          reason: 'itemsToParse must evaluate to an array, not string',
          field: 'resources[1].port.itemsToParse',
        });
        continue;
      }
      const parent = oceanLeaf(jq, item, 'del(.comments)') as Record<string, unknown>;
      for (const element of elements)
        expected.push({ item: position, outcome: 'entity', entity: oceanEntity(jq, resource, { ...parent, item: element }) });
    }
    expect(outcomes).toEqual(expected);
    expect(outcomes.some((o) => o.outcome === 'entity' && o.entity.properties['hasComments'] === false)).toBe(true);
  });

  it('reports a failing selector, a non-boolean one and an empty identifier per item', async () => {
    const broken = mappingSchema.parse({
      language: 'jq',
      resources: [
        {
          kind: 'x',
          selector: { query: '.n | if . == 1 then error("boom") elif . == 2 then "yes" else true end' },
          port: { entity: { mappings: { identifier: '.id', blueprint: '"b"' } } },
        },
      ],
    });
    const { outcomes } = (await runMappingTask({
      kind: 'page',
      mapping: { hash: 'broken', config: broken },
      resource: 0,
      items: [{ n: 1, id: 'a' }, { n: 2, id: 'b' }, { n: 3 }, { n: 4, id: 'd' }],
    })) as PageResult;
    expect(outcomes).toEqual([
      { item: 0, outcome: 'failed', code: 'EXPRESSION_FAILED', reason: 'boom', field: 'resources[0].selector.query' },
      {
        item: 1,
        outcome: 'failed',
        code: 'INVALID_ENTITY',
        reason: 'the selector must evaluate to true or false, not "yes"',
        field: 'resources[0].selector.query',
      },
      {
        item: 2,
        outcome: 'failed',
        code: 'INVALID_ENTITY',
        reason: 'identifier is empty (null, missing or "")',
        field: 'resources[0].port.entity.mappings.identifier',
      },
      { item: 3, outcome: 'entity', entity: { identifier: 'd', blueprint: 'b', properties: {}, relations: {} } },
    ]);
  });

  it('refuses literal regular expressions with nested quantifiers (jq’s Oniguruma backtracks)', () => {
    for (const pattern of ['^(a+)+$', '(\\w*)*x', '(a?){2,}', '((ab)*c)+', '(?:[a-z]+\\s?)*$'])
      expect(nestsQuantifiers(pattern), pattern).toBe(true);
    for (const pattern of ['^bug', '^(feat|fix)(\\(.+\\))?:', '[a-z]+-\\d+', '(ab){3}', '(a|b)+', '\\(+\\)'])
      expect(nestsQuantifiers(pattern), pattern).toBe(false);
  });
});
