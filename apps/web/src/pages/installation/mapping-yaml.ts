import { isMap, isScalar, isSeq, parseDocument, stringify, type Node } from 'yaml';

export interface MappingIssue {
  /** Where in the mapping, e.g. `resources[1].port.entity.mappings.title`, or `(yaml)` for syntax. */
  readonly path: string;
  readonly message: string;
  /** Character offsets in the YAML text. */
  readonly from: number;
  readonly to: number;
}

export function mappingToYaml(mapping: unknown): string {
  return stringify(mapping, { lineWidth: 0 });
}

/** The YAML as a JSON object, or the syntax problems at their positions. */
export function parseMappingYaml(text: string): { mapping: Record<string, unknown> } | { issues: MappingIssue[] } {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length) {
    return {
      issues: document.errors.map((error) => ({
        path: `(yaml) line ${error.linePos?.[0]?.line ?? '?'}`,
        message: error.message.split('\n')[0] ?? error.message,
        from: error.pos[0],
        to: error.pos[1],
      })),
    };
  }
  const value: unknown = document.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      issues: [{ path: '(root)', message: 'The mapping must be a YAML object with `resources`', from: 0, to: text.length }],
    };
  }
  return { mapping: value as Record<string, unknown> };
}

/**
 * Where a path the api names (`resources[1].port.entity.mappings.title`) sits in the YAML text:
 * the value's range when it exists, else the key of the deepest part that does (a missing field
 * is shown at its parent).
 */
export function locatePath(text: string, path: string): { from: number; to: number } {
  const document = parseDocument(text);
  const segments = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] !== undefined ? Number(match[2]) : match[1]!,
  );
  let node: unknown = document.contents;
  let found: { from: number; to: number } = { from: 0, to: Math.min(text.indexOf('\n') >>> 0, text.length) };
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const key = pair.key as Node;
      if (key.range) found = { from: key.range[0], to: key.range[1] };
      node = pair.value;
      const value = pair.value as Node | null;
      if (value?.range && isScalar(value)) found = { from: value.range[0], to: value.range[1] };
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item?.range) break;
      found = { from: item.range[0], to: Math.min(item.range[1], text.indexOf('\n', item.range[0]) >>> 0) };
      node = item;
    } else {
      break;
    }
  }
  return found;
}
