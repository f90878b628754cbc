import { DomainError } from '@mooring/platform';
import { z } from 'zod';

// What an installation of the generic HTTP integration declares in its settings. Settings are
// strings (the custom-settings form), so the structured parts (`auth`, `headers`, `kinds`,
// `liveEvents`) are JSON documents, validated here once and named by their path when wrong. The one
// secret of the auth method (bearer token, password, API key or OAuth client secret) is the
// sensitive `token` field and is sealed like every credential; the webhook secrets are the
// installation's live-event secrets.

const name = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/, 'letters, digits, "-" and "_", starting with a letter');
/** A dotted path into a JSON body (`data.items`); empty for the body itself. */
const bodyPath = z.string().regex(/^$|^[^.\s]+(\.[^.\s]+)*$/, 'a dotted path such as "data.items"');
const positive = z.number().int().positive();
/** Where a POST listing's paging fields go: the query (default) or the JSON body. */
const placement = z.enum(['query', 'body']).optional();
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const json: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);

export const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('bearer') }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1) }).strict(),
  z.object({ type: z.literal('apiKey'), in: z.enum(['header', 'query']), name: z.string().min(1) }).strict(),
  z
    .object({
      type: z.literal('oauth2ClientCredentials'),
      tokenUrl: z.string().url(),
      clientId: z.string().min(1),
      scope: z.string().optional(),
    })
    .strict(),
]);
export type GenericAuth = z.infer<typeof authSchema>;

export const paginationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({
      type: z.literal('pageNumber'),
      size: positive.max(1000),
      pageParam: z.string().min(1).optional(),
      sizeParam: z.string().min(1).optional(),
      firstPage: z.number().int().min(0).optional(),
      in: placement,
    })
    .strict(),
  z
    .object({
      type: z.literal('offset'),
      limit: positive.max(1000),
      offsetParam: z.string().min(1).optional(),
      limitParam: z.string().min(1).optional(),
      in: placement,
    })
    .strict(),
  z.object({ type: z.literal('cursor'), cursorPath: bodyPath.min(1), param: z.string().min(1), in: placement }).strict(),
  z.object({ type: z.literal('nextUrl'), nextPath: bodyPath.min(1) }).strict(),
  z.object({ type: z.literal('linkHeader') }).strict(),
]);
export type GenericPagination = z.infer<typeof paginationSchema>;

export const kindSchema = z
  .object({
    name,
    path: z.string().startsWith('/', 'a path under the base URL, starting with "/"'),
    /** POST for search endpoints that list with a JSON body; never a method that changes the tool. */
    method: z.enum(['GET', 'POST']).default('GET'),
    query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** The JSON body of a POST listing (paging fields are set in it when the pagination says `"in": "body"`). */
    body: z.record(z.string(), json).optional(),
    /** Where the items are in the answer; the body itself when empty. */
    itemsPath: bodyPath.default(''),
    /** Or an expression over the answer that selects them, in the mapping's languages (compiled on save). */
    itemsExpression: z
      .object({ language: z.enum(['jsonata', 'jq']), expression: z.string().trim().min(1).max(2_000) })
      .strict()
      .optional(),
    pagination: paginationSchema.default({ type: 'none' }),
    /** When the listing is complete besides what its paging says: an empty page, or a true member of the body. */
    stop: z
      .object({ emptyPage: z.boolean().default(false), whenTrue: bodyPath.min(1).optional() })
      .strict()
      .default({ emptyPage: false }),
    /** A listing longer than this fails (it never ends short, which would make its items look deleted). */
    maxPages: positive.max(100_000).default(1000),
    requestsPerSecond: z.number().positive().max(1000).optional(),
    /** A dependent kind: listed once per item of `kind`, whose fields fill `{field}` in the path. */
    parent: z.object({ kind: name }).strict().optional(),
    /** One item by its id (`/issues/{id}`): how a live deletion is confirmed with the tool. */
    itemPath: z
      .string()
      .startsWith('/', 'a path under the base URL, starting with "/"')
      .includes('{id}', { message: 'must contain {id}, where the item id goes' })
      .optional(),
    /** Where the item is in that answer; the body itself when absent. */
    itemKey: bodyPath.optional(),
  })
  .strict();
export type GenericKind = z.infer<typeof kindSchema>;

export const liveEventsSchema = z
  .object({
    signatureHeader: z.string().min(1).toLowerCase(),
    algorithm: z.enum(['sha1', 'sha256', 'plain']),
    prefix: z.string().default(''),
    /** The delivery's id for deduplication: a header, or a dotted path in the body. */
    requestIdHeader: z.string().min(1).toLowerCase().optional(),
    requestIdPath: bodyPath.min(1).optional(),
    timestampHeader: z.string().min(1).toLowerCase().optional(),
    toleranceSeconds: positive.max(86_400).default(300),
    eventPath: bodyPath.min(1).optional(),
    /** How an event becomes a change: the kind, where the item and its id are, when it is a deletion. */
    kind: name,
    itemPath: bodyPath.default(''),
    idPath: bodyPath.min(1),
    deletedWhen: z
      .object({ path: bodyPath.min(1), equals: z.union([z.string(), z.number(), z.boolean()]) })
      .strict()
      .optional(),
  })
  .strict();
export type GenericLiveEvents = z.infer<typeof liveEventsSchema>;

export interface GenericSettings {
  readonly baseUrl: string;
  readonly auth: GenericAuth;
  readonly headers: Readonly<Record<string, string>>;
  readonly kinds: readonly GenericKind[];
  readonly liveEvents?: GenericLiveEvents;
}

const headersSchema = z.record(
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name'),
  z.string().regex(/^[^\r\n]*$/, 'a single-line value'),
);

/**
 * The installation's settings, parsed. Throws VALIDATION_FAILED naming every wrong field by its
 * path (`settings.kinds[1].pagination.size`), so a save is refused whole with what to fix.
 */
export function parseGenericSettings(settings: Readonly<Record<string, string>>): GenericSettings {
  const fields: { field: string; message: string }[] = [];
  const json = (key: string, fallback: unknown): unknown => {
    const text = settings[key];
    if (text === undefined || text.trim() === '') return fallback;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      fields.push({ field: `settings.${key}`, message: 'is not valid JSON' });
      return undefined;
    }
  };
  const parse = <T>(key: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
    if (value === undefined) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) fields.push({ field: fieldPath(key, issue.path), message: issue.message });
    return undefined;
  };

  const baseUrl = settings['baseUrl'] ?? '';
  if (!/^https?:\/\//.test(baseUrl) || !URL.canParse(baseUrl))
    fields.push({ field: 'settings.baseUrl', message: 'an http(s) URL' });
  const auth = parse('auth', authSchema, json('auth', { type: 'bearer' }));
  const headers = parse('headers', headersSchema, json('headers', {}));
  const kinds = parse('kinds', z.array(kindSchema).min(1, 'declare at least one kind').max(50), json('kinds', undefined));
  if (settings['kinds'] === undefined) fields.push({ field: 'settings.kinds', message: 'declare at least one kind' });
  const liveEvents = parse('liveEvents', liveEventsSchema, json('liveEvents', undefined));
  if (kinds) fields.push(...kindProblems(kinds));
  if (kinds && liveEvents && !kinds.some((kind) => kind.name === liveEvents.kind))
    fields.push({ field: 'settings.liveEvents.kind', message: `no declared kind is named "${liveEvents.kind}"` });

  if (fields.length > 0 || !auth || !headers || !kinds) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `The generic HTTP settings are invalid: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
      {
        fields,
      },
    );
  }
  return { baseUrl, auth, headers, kinds, ...(liveEvents ? { liveEvents } : {}) };
}

/** How many dependent levels a chain of kinds may have (org → project → issue → comment). */
export const MAX_DEPENDENT_DEPTH = 3;

/**
 * Names unique, parents declared, parent chains without loops and at most MAX_DEPENDENT_DEPTH
 * deep, placeholders only in dependent kinds, one way to find the items.
 */
function kindProblems(kinds: readonly GenericKind[]): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const byName = new Map<string, GenericKind>();
  kinds.forEach((kind, index) => {
    if (byName.has(kind.name))
      problems.push({ field: `settings.kinds[${index}].name`, message: `"${kind.name}" is declared twice` });
    byName.set(kind.name, kind);
  });
  kinds.forEach((kind, index) => {
    if (kind.method === 'GET' && kind.body)
      problems.push({ field: `settings.kinds[${index}].body`, message: 'a body needs "method": "POST"' });
    if (kind.method === 'GET' && 'in' in kind.pagination && kind.pagination.in === 'body')
      problems.push({ field: `settings.kinds[${index}].pagination.in`, message: 'paging in the body needs "method": "POST"' });
    if (kind.itemsExpression && kind.itemsPath)
      problems.push({
        field: `settings.kinds[${index}].itemsExpression`,
        message: 'declare itemsPath or itemsExpression, not both',
      });
    if (kind.itemPath && /\{(?!id\})[^}]*\}/.test(kind.itemPath))
      problems.push({ field: `settings.kinds[${index}].itemPath`, message: 'has {placeholders} other than {id}' });
    const placeholders = /\{[^}]+\}/.test(kind.path);
    if (!kind.parent) {
      if (placeholders)
        problems.push({ field: `settings.kinds[${index}].path`, message: 'has {placeholders} but no parent kind to fill them' });
      return;
    }
    const problem = chainProblem(kind, byName);
    if (problem) problems.push({ field: `settings.kinds[${index}].parent.kind`, message: problem });
  });
  return problems;
}

/** What is wrong with a dependent kind's chain of parents: an undeclared one, a loop, too many levels. */
function chainProblem(kind: GenericKind, byName: ReadonlyMap<string, GenericKind>): string | undefined {
  const chain = [kind.name];
  for (let current = kind; current.parent;) {
    const parent = byName.get(current.parent.kind);
    if (!parent) return `no declared kind is named "${current.parent.kind}"`;
    if (chain.includes(parent.name)) return `the parents loop: ${[...chain, parent.name].join(' → ')}`;
    chain.push(parent.name);
    if (chain.length - 1 > MAX_DEPENDENT_DEPTH)
      return `depends through more than ${MAX_DEPENDENT_DEPTH} levels (${chain.join(' → ')}…)`;
    current = parent;
  }
  return undefined;
}

function fieldPath(key: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}.${String(part)}`),
    `settings.${key}`,
  );
}

/** The value at a dotted path of a JSON value; the value itself for an empty path. */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current = value;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Array.isArray(current) ? current[Number(part)] : (current as Record<string, unknown>)[part];
  }
  return current;
}
