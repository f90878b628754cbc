import { DomainError } from '@mooring/platform';
import type {
  ExpressionEvaluator,
  IntegrationConnection,
  JsonObject,
  JsonValue,
  KindDefinition,
} from '../integration-definition.js';
import { fanOut, flatten, paging, skippingItemFailures, type Paging } from '../toolkit/index.js';
import { genericClient } from './generic-http-client.js';
import { parseGenericSettings, valueAt, type GenericKind, type GenericSettings } from './generic-http-settings.js';

// The kinds an installation declares, each listed with the toolkit's paging strategy its
// declaration names, its items found at a dotted path or by a JSONata/jq expression (the mapping
// engine's evaluators, which come through the connection). A dependent kind is listed once per
// item of its parent (itself possibly dependent; at most 4 listings at once per level), the parent's
// fields filling `{field}` in its path; each of its items carries the parent item under `__parent`
// (a grandparent's fields are `{__parent.id}`). A parent item whose listing the API refuses is
// skipped and counted; the run then deletes nothing.

const DEPENDENT_CONCURRENCY = 4;

/** The kinds declared in an installation's settings. */
export function declaredKinds(rawSettings: Readonly<Record<string, string>>): Record<string, KindDefinition> {
  const settings = parseGenericSettings(rawSettings);
  return Object.fromEntries(settings.kinds.map((kind) => [kind.name, kindDefinition(settings, kind)]));
}

function kindDefinition(settings: GenericSettings, kind: GenericKind): KindDefinition {
  return {
    title: kind.name,
    extract: (connection) => listKind(connection, settings, kind),
  };
}

/** A kind's pages; for a dependent kind, its listing under each of its parent's items. */
export function listKind(
  connection: IntegrationConnection,
  settings: GenericSettings,
  kind: GenericKind,
): AsyncIterable<JsonObject[]> {
  if (!kind.parent) return listPath(connection, settings, kind, kind.path);
  const parent = settings.kinds.find((candidate) => candidate.name === kind.parent!.kind)!;
  return fanOut(
    flatten(listKind(connection, settings, parent)),
    skippingItemFailures(
      connection,
      (item: JsonObject) => fillPath(kind.path, item),
      async function* (item: JsonObject) {
        for await (const page of listPath(connection, settings, kind, fillPath(kind.path, item))) {
          yield page.map((child) => ({ ...child, __parent: item }));
        }
      },
    ),
    DEPENDENT_CONCURRENCY,
  );
}

/** The first page of a kind only (for a dependent kind, under its parent's first item): for writing a mapping against real data. */
export async function firstPage(
  connection: IntegrationConnection,
  settings: GenericSettings,
  kindName: string,
): Promise<JsonObject[]> {
  const kind = settings.kinds.find((candidate) => candidate.name === kindName);
  if (!kind) throw new DomainError('NOT_FOUND', `No kind "${kindName}" is declared`, { resource: 'kind', id: kindName });
  for await (const page of listKind(connection, settings, kind)) return page;
  return [];
}

async function* listPath(
  connection: IntegrationConnection,
  settings: GenericSettings,
  kind: GenericKind,
  path: string,
): AsyncGenerator<JsonObject[]> {
  const client = genericClient(connection, settings, kind);
  const query = Object.fromEntries(Object.entries(kind.query).map(([key, value]) => [key, String(value)]));
  let pages = 0;
  for await (const page of client.pages(client.url(path, query), pagingFor(kind, connection.expressions))) {
    if (++pages > kind.maxPages) {
      throw new DomainError(
        'UPSTREAM_FAILED',
        `The listing of "${kind.name}" goes on beyond its ${kind.maxPages} pages (maxPages)`,
        {
          reason: 'listing_beyond_reach',
          maxPages: kind.maxPages,
        },
      );
    }
    yield page;
  }
}

/** The toolkit's strategy for the declaration, with its stop condition. */
export function pagingFor(kind: GenericKind, expressions?: ExpressionEvaluator): Paging {
  const itemsKey = kind.itemsPath;
  const selector = kind.itemsExpression;
  const items = async (body: JsonValue, source: { tool: string; path: string }): Promise<JsonObject[]> => {
    if (!selector) {
      return paging.listIn(valueAt(body, itemsKey) as JsonValue, undefined, {
        tool: source.tool,
        path: `${source.path}${itemsKey ? ` (at "${itemsKey}")` : ''}`,
      });
    }
    if (!expressions) throw noEvaluator(kind);
    const list = await expressions.evaluate(selector.language, selector.expression, body);
    return listOfObjects(list, {
      tool: source.tool,
      path: `${source.path} (${selector.language} ${JSON.stringify(selector.expression)})`,
    });
  };
  const pagination = kind.pagination;
  const base: Paging = (() => {
    switch (pagination.type) {
      case 'none':
        return { first: (url) => url, items, next: () => null };
      case 'linkHeader':
        return { ...paging.linkHeader(), items };
      case 'pageNumber':
        return {
          ...paging.pageNumber({
            size: pagination.size,
            pageParam: pagination.pageParam ?? 'page',
            sizeParam: pagination.sizeParam ?? 'per_page',
            firstPage: pagination.firstPage ?? 1,
          }),
          items,
        };
      case 'offset':
        return {
          ...paging.offset({
            limit: pagination.limit,
            offsetParam: pagination.offsetParam ?? 'offset',
            limitParam: pagination.limitParam ?? 'limit',
          }),
          items,
        };
      case 'cursor':
        return {
          ...paging.cursor({
            next: (body) => valueAt(body, pagination.cursorPath) as JsonValue | undefined,
            param: pagination.param,
          }),
          items,
        };
      case 'nextUrl':
        return { ...paging.cursor({ next: (body) => valueAt(body, pagination.nextPath) as JsonValue | undefined }), items };
    }
  })();
  const { emptyPage, whenTrue } = kind.stop;
  return {
    ...base,
    next: (page) => {
      if (emptyPage && page.items.length === 0) return null;
      if (whenTrue && valueAt(page.answer.body, whenTrue) === true) return null;
      return base.next(page);
    },
  };
}

/** `/projects/{id}/issues` with the parent item's `id`, URL-encoded; a missing or non-scalar field fails the kind. */
export function fillPath(template: string, item: JsonObject): string {
  return template.replace(/\{([^}]+)\}/g, (_, field: string) => {
    const value = valueAt(item, field);
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new DomainError('UPSTREAM_MALFORMED', `A parent item has no "${field}" to fill ${template}`, {
        reason: 'missing_parent_field',
        field,
      });
    }
    return encodeURIComponent(String(value));
  });
}

/**
 * What an items expression selected, when it is a list of objects; anything else fails the kind
 * (never an empty listing, which would make every item look deleted).
 */
function listOfObjects(value: JsonValue | undefined, source: { tool: string; path: string }): JsonObject[] {
  const list = paging.listIn(value ?? null, undefined, source);
  const stray = list.findIndex((item) => typeof item !== 'object' || item === null || Array.isArray(item));
  if (stray >= 0) {
    throw new DomainError('UPSTREAM_MALFORMED', `${source.tool}'s answer to ${source.path}: item ${stray} is not an object`, {
      status: 200,
      reason: 'not_a_listing',
      path: source.path,
    });
  }
  return list;
}

function noEvaluator(kind: GenericKind): DomainError {
  return new DomainError(
    'INTERNAL',
    `Kind "${kind.name}" selects its items with an expression, which this process cannot evaluate`,
  );
}

/** Each kind's items expression compiled as the mapping's are: the problems, by field. */
export async function expressionProblems(
  connection: IntegrationConnection,
  settings: GenericSettings,
): Promise<{ field: string; message: string }[]> {
  const problems: { field: string; message: string }[] = [];
  for (const [index, kind] of settings.kinds.entries()) {
    if (!kind.itemsExpression) continue;
    const field = `settings.kinds[${index}].itemsExpression.expression`;
    if (!connection.expressions) {
      problems.push({ field, message: 'expressions cannot be evaluated here' });
      continue;
    }
    const problem = await connection.expressions.problem(kind.itemsExpression.language, kind.itemsExpression.expression);
    if (problem) problems.push({ field, message: `invalid ${kind.itemsExpression.language}: ${problem}` });
  }
  return problems;
}
