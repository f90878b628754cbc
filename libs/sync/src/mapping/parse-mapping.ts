import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { DomainError, formatPath, type FieldIssue } from '@mooring/platform';
import type { IntegrationDefinition } from '@mooring/integrations';
import { EntityMapper } from '../map/entity-mapper.js';
import { fastEvaluator, type FastEvaluator } from '../map/fast-expression.js';
import { formatExpressionError, literalString, plainPath, tryCompile, type CompiledExpression } from './jsonata-expression.js';
import { keyPath } from './field-path.js';
import { mappingSchema, type MappingConfig, type ResourceConfig } from './mapping.schema.js';

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
  /** Null when the selector is the literal `true`; `fast` when it needs no JSONata (see fast-expression.ts). */
  readonly selector: { readonly expression: CompiledExpression; readonly fast: FastEvaluator | undefined } | null;
  /** The selector's integration-specific keys (everything but `query`), passed to extract. */
  readonly selectorOptions: Readonly<Record<string, unknown>>;
  readonly itemsToParse: {
    readonly expression: CompiledExpression;
    readonly name: string;
    /** Removed from the parent copy when the expression is a plain path (itemsToParseTopLevelTransform). */
    readonly removePath: readonly string[] | undefined;
  } | null;
  readonly mapper: EntityMapper;
  /** The blueprint when the mapping names a literal one. */
  readonly blueprint: string | null;
}

export interface ParsedMapping {
  readonly config: MappingConfig;
  readonly resources: readonly ParsedResource[];
  /** Stable hash of the normalized mapping, recorded on every run. */
  readonly hash: string;
}

export interface MappingOptions {
  /** When given, kinds and selector keys are checked against it. */
  readonly integration?: IntegrationDefinition;
}

/** Every problem in a mapping (empty when it is valid). */
export function validateMapping(input: unknown, options: MappingOptions = {}): MappingIssue[] {
  const result = analyze(input, options);
  return 'issues' in result ? result.issues : [];
}

/** Parses and compiles a mapping, or throws VALIDATION_FAILED naming each bad field. */
export function parseMapping(input: unknown, options: MappingOptions = {}): ParsedMapping {
  const result = analyze(input, options);
  if ('issues' in result) {
    const [first] = result.issues;
    const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : '';
    throw new DomainError('VALIDATION_FAILED', `Invalid mapping: ${first?.field}: ${first?.message}${more}`, {
      fields: result.issues,
    });
  }
  return result.mapping;
}

function analyze(input: unknown, options: MappingOptions): { mapping: ParsedMapping } | { issues: MappingIssue[] } {
  const parsed = mappingSchema.safeParse(input);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((issue) => ({ field: formatPath(issue.path) || '(root)', message: issue.message })),
    };
  }
  const config = parsed.data;
  const issues: MappingIssue[] = [];
  const resources: ParsedResource[] = [];
  config.resources.forEach((resource, index) => {
    const parsedResource = parseResource(resource, index, options, issues);
    if (parsedResource) resources.push(parsedResource);
  });
  if (issues.length) return { issues };
  const hash = createHash('sha256').update(stringify(config)).digest('base64url');
  return { mapping: { config, resources, hash } };
}

function parseResource(
  resource: ResourceConfig,
  index: number,
  options: MappingOptions,
  issues: MappingIssue[],
): ParsedResource | undefined {
  const at = `resources[${index}]`;
  const before = issues.length;
  const compile = (field: string, source: string): CompiledExpression | undefined => {
    const result = tryCompile(source);
    if ('error' in result) {
      issues.push({
        field,
        message: `invalid JSONata: ${formatExpressionError(result.error)}`,
        ...(result.error.position !== undefined ? { position: result.error.position } : {}),
        ...(result.error.token !== undefined ? { token: result.error.token } : {}),
      });
      return undefined;
    }
    return result.expression;
  };

  const { query, ...selectorOptions } = resource.selector;
  checkKind(resource, selectorOptions, at, options, issues);
  const selector = query === 'true' ? null : compile(`${at}.selector.query`, query);
  const itemsToParse = resource.port.itemsToParse ? compile(`${at}.port.itemsToParse`, resource.port.itemsToParse) : null;

  const mappings = resource.port.entity.mappings;
  const leaves = `${at}.port.entity.mappings`;
  const compiledLeaves: Array<CompiledExpression | undefined> = [];
  for (const field of ['identifier', 'title', 'blueprint', 'icon', 'team'] as const) {
    const source = mappings[field];
    if (source !== undefined) compiledLeaves.push(compile(`${leaves}.${field}`, source));
  }
  for (const group of ['properties', 'relations'] as const) {
    for (const [name, source] of Object.entries(mappings[group])) {
      compiledLeaves.push(compile(`${leaves}.${group}${keyPath(name)}`, source));
    }
  }
  if (issues.length > before) return undefined;

  const blueprintExpression = tryCompile(mappings.blueprint);
  return {
    index,
    kind: resource.kind,
    key: `${resource.kind}-${index}`,
    config: resource,
    selector: selector ? { expression: selector, fast: fastEvaluator(selector) } : null,
    selectorOptions,
    itemsToParse: itemsToParse
      ? {
          expression: itemsToParse,
          name: resource.port.itemsToParseName,
          removePath: resource.port.itemsToParseTopLevelTransform ? plainPath(itemsToParse) : undefined,
        }
      : null,
    mapper: new EntityMapper(mappings, leaves),
    blueprint: 'expression' in blueprintExpression ? (literalString(blueprintExpression.expression) ?? null) : null,
  };
}

function checkKind(
  resource: ResourceConfig,
  selectorOptions: Record<string, unknown>,
  at: string,
  options: MappingOptions,
  issues: MappingIssue[],
): void {
  const integration = options.integration;
  if (!integration) return;
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
