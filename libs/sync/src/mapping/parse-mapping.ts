import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { DomainError, formatPath, type FieldIssue } from '@mooring/platform';
import type { IntegrationDefinition } from '@mooring/integrations';
import type { ItemOutcome } from './entity-shape.js';
import { formatExpressionError, literalString, tryCompile } from './jsonata/jsonata-expression.js';
import { JsonataResource } from './jsonata/jsonata-resource.js';
import { formatFilter, jqExpressionProblem, jqLeaves } from './jq/port-jq.js';
import { sharedMappingPool, type MappingPool, type PageOptions, type PageOutcome } from './mapping-pool.js';
import { mappingSchema, type MappingConfig, type MappingLanguage, type ResourceConfig } from './mapping.schema.js';

/** A problem in a mapping, naming the field (`resources[1].port.entity.mappings.properties.url`). */
export interface MappingIssue extends FieldIssue {
  /** For a JSONata syntax error: where in the expression. */
  readonly position?: number;
  readonly token?: string;
}

export interface ParsedResource {
  readonly index: number;
  readonly kind: string;
  /** `kind-index`: how the resource is reported and owns entities. */
  readonly key: string;
  readonly config: ResourceConfig;
  /** The selector's integration-specific keys (everything but `query`), passed to extract. */
  readonly selectorOptions: Readonly<Record<string, unknown>>;
  /** The blueprint when the mapping names a literal one. */
  readonly blueprint: string | null;
  /**
   * Maps a page of the kind's raw items: an outcome per (expanded) item. In a worker thread bounded
   * in time, unless every expression is linear-time compiled code (see isLinear), which runs here.
   */
  mapPage(items: readonly unknown[], options?: PageOptions): Promise<PageOutcome>;
}

export interface ParsedMapping {
  readonly config: MappingConfig;
  readonly language: MappingLanguage;
  readonly resources: readonly ParsedResource[];
  /** Stable hash of the normalized mapping, recorded on every run. */
  readonly hash: string;
}

export interface MappingOptions {
  /** When given, kinds and selector keys are checked against it. */
  readonly integration?: IntegrationDefinition;
  /** Where pages are evaluated; the process's shared pool by default. */
  readonly pool?: MappingPool;
}

/** Every problem in a mapping (empty when it is valid): shape, kinds, and every expression compiled. */
export async function validateMapping(input: unknown, options: MappingOptions = {}): Promise<MappingIssue[]> {
  const result = await analyze(input, options);
  return 'issues' in result ? result.issues : [];
}

/** Parses and compiles a mapping, or throws VALIDATION_FAILED naming each bad field. */
export async function parseMapping(input: unknown, options: MappingOptions = {}): Promise<ParsedMapping> {
  const result = await analyze(input, options);
  if ('issues' in result) {
    const [first] = result.issues;
    const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : '';
    throw new DomainError('VALIDATION_FAILED', `Invalid mapping: ${first?.field}: ${first?.message}${more}`, {
      fields: result.issues,
    });
  }
  return result.mapping;
}

async function analyze(
  input: unknown,
  options: MappingOptions,
): Promise<{ mapping: ParsedMapping } | { issues: MappingIssue[] }> {
  const parsed = mappingSchema.safeParse(input);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((issue) => ({ field: formatPath(issue.path) || '(root)', message: issue.message })),
    };
  }
  const config = parsed.data;
  const issues: MappingIssue[] = [];
  config.resources.forEach((resource, index) => checkKind(resource, index, options, issues));
  const jq = config.language === 'jq';
  const expressions = config.resources.flatMap((resource, index) => expressionsOf(resource, index));
  const valid: Array<{ path: string; source: string }> = [];
  for (const expression of expressions) {
    const issue = jq ? jqIssue(expression) : jsonataIssue(expression);
    if (issue) issues.push(issue);
    else valid.push(expression);
  }
  if (jq && valid.length) issues.push(...(await (options.pool ?? sharedMappingPool()).checkJq(valid)));
  if (issues.length) return { issues: sortByField(issues, expressions) };

  const hash = createHash('sha256').update(stringify(config)).digest('base64url');
  const pool = options.pool;
  const resources = config.resources.map((resource, index): ParsedResource => {
    const { query: _query, ...selectorOptions } = resource.selector;
    // Mapped right here when every expression is linear-time compiled code; in a worker thread otherwise.
    const inline = config.language === 'jsonata' ? new JsonataResource(resource, index) : undefined;
    const mapHere = inline?.linear ? inline : undefined;
    return {
      index,
      kind: resource.kind,
      key: `${resource.kind}-${index}`,
      config: resource,
      selectorOptions,
      blueprint: literalBlueprint(resource.port.entity.mappings.blueprint, config.language),
      mapPage: mapHere
        ? async (items) => {
            const outcomes: ItemOutcome[] = [];
            for (const [item, raw] of items.entries()) await mapHere.mapItem(raw, item, outcomes);
            return { outcomes };
          }
        : (items, pageOptions) => (pool ?? sharedMappingPool()).mapPage({ hash, config }, index, items, pageOptions),
    };
  });
  return { mapping: { config, language: config.language, resources, hash } };
}

function expressionsOf(resource: ResourceConfig, index: number): Array<{ path: string; source: string }> {
  const { selector, itemsToParse, leaves } = jqLeaves(resource, index);
  return [...(selector ? [selector] : []), ...(itemsToParse ? [itemsToParse] : []), ...leaves];
}

function jsonataIssue({ path, source }: { path: string; source: string }): MappingIssue | undefined {
  const result = tryCompile(source);
  if (!('error' in result)) return undefined;
  return {
    field: path,
    message: `invalid JSONata: ${formatExpressionError(result.error)}`,
    ...(result.error.position !== undefined ? { position: result.error.position } : {}),
    ...(result.error.token !== undefined ? { token: result.error.token } : {}),
  };
}

function jqIssue({ path, source }: { path: string; source: string }): MappingIssue | undefined {
  const problem = jqExpressionProblem(source);
  return problem ? { field: path, message: `invalid JQ: ${problem}` } : undefined;
}

/** Issues in the order of the mapping's fields, whichever check found them. */
function sortByField(issues: MappingIssue[], expressions: ReadonlyArray<{ path: string }>): MappingIssue[] {
  const order = new Map(expressions.map((e, i) => [e.path, i]));
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => (order.get(a.issue.field) ?? -1) - (order.get(b.issue.field) ?? -1) || a.i - b.i)
    .map(({ issue }) => issue);
}

function literalBlueprint(source: string, language: MappingLanguage): string | null {
  if (language === 'jsonata') {
    const result = tryCompile(source);
    return 'expression' in result ? (literalString(result.expression) ?? null) : null;
  }
  const text = formatFilter(source).trim();
  if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) return null;
  try {
    return JSON.parse(text) as string;
  } catch {
    return null;
  }
}

function checkKind(resource: ResourceConfig, index: number, options: MappingOptions, issues: MappingIssue[]): void {
  const integration = options.integration;
  if (!integration) return;
  const at = `resources[${index}]`;
  const { query: _query, ...selectorOptions } = resource.selector;
  const kind = integration.kinds[resource.kind];
  if (!kind) {
    const known = Object.keys(integration.kinds).join(', ');
    issues.push({ field: `${at}.kind`, message: `${integration.title} has no kind "${resource.kind}" (it has: ${known})` });
    return;
  }
  if (kind.selector) {
    const result = kind.selector.safeParse(selectorOptions);
    if (!result.success) {
      for (const issue of result.error.issues) {
        issues.push({ field: `${at}.selector${issue.path.length ? '.' : ''}${formatPath(issue.path)}`, message: issue.message });
      }
    }
  } else {
    for (const key of Object.keys(selectorOptions)) {
      issues.push({ field: `${at}.selector.${key}`, message: `unknown key: the "${resource.kind}" selector has only "query"` });
    }
  }
}
