import { DomainError } from '@mooring/platform';
import type { IntegrationConnection, JsonObject, JsonValue, KindDefinition } from '../integration-definition.js';
import { fanOut, flatten, paging, skippingItemFailures, type Paging } from '../toolkit/index.js';
import { genericClient } from './generic-http-client.js';
import { parseGenericSettings, valueAt, type GenericKind, type GenericSettings } from './generic-http-settings.js';

// The kinds an installation declares, each listed with the toolkit's paging strategy its
// declaration names. A dependent kind is listed once per item of its parent (at most 4 listings
// at once), the parent's fields filling `{field}` in its path; each of its items carries the
// parent item under `__parent`. A parent item whose listing the API refuses is skipped and
// counted; the run then deletes nothing.

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
    flatten(listPath(connection, settings, parent, parent.path)),
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
  const client = genericClient(connection, settings, kind.requestsPerSecond);
  const query = Object.fromEntries(Object.entries(kind.query).map(([key, value]) => [key, String(value)]));
  let pages = 0;
  for await (const page of client.pages(client.url(path, query), pagingFor(kind))) {
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
export function pagingFor(kind: GenericKind): Paging {
  const itemsKey = kind.itemsPath;
  const items = (body: JsonValue, source: { tool: string; path: string }): JsonObject[] => {
    const list = valueAt(body, itemsKey);
    return paging.listIn(list as JsonValue, undefined, {
      tool: source.tool,
      path: `${source.path}${itemsKey ? ` (at "${itemsKey}")` : ''}`,
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
