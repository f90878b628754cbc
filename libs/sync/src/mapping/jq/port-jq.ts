import type { ResourceConfig } from '../mapping.schema.js';
import { keyPath } from '../field-path.js';
import { SCALAR_FIELDS } from '../entity-shape.js';

// Port's JQ dialect, as Ocean's entity processor applies it before handing a leaf to jq:
// - single quotes at string boundaries become double quotes (`'"service"'` and `''` work);
// - `env` and `$ENV` are empty (Ocean's stub; a tenant's mapping never sees the host's environment);
// - only the first output of a leaf counts; a leaf that errs or yields nothing is null;
// - the selector must be a boolean.
// A page of items is mapped by ONE jq program (one call per page, not per field per item).

const ENV_STUB = 'def env: {}; {} as $ENV | ';

/** Ocean's quote rewrite (`_format_filter`), with the same pattern. */
export function formatFilter(source: string): string {
  return source.replace(
    /(^|\s)'(?!\s|")|(?<!\s|")'(\s|$)/g,
    (_match, before?: string, after?: string) => `${before ?? ''}"${after ?? ''}`,
  );
}

/**
 * The program that only compiles an expression: jq reports syntax errors and undefined names (it
 * skips definitions nothing references, so the check references it where it never runs).
 */
export function compileCheckProgram(source: string): string {
  return `${ENV_STUB}def __mooring_f: (${formatFilter(source)}); if false then __mooring_f else null end`;
}

/**
 * Problems jq's compiler cannot see: an expression must be self-contained (it is composed into a
 * page program, so brackets must balance and none may close what it did not open), `file://`
 * leaves are Ocean's git file fetches (not jq), and a literal regular expression must not nest
 * quantifiers (jq matches with Oniguruma, which backtracks).
 */
export function jqExpressionProblem(source: string): string | undefined {
  if (source.trim().startsWith('file://')) return 'file:// leaves (a repository file’s content) are not supported';
  const structure = structureProblem(formatFilter(source));
  if (structure) return structure;
  for (const pattern of regexLiterals(formatFilter(source))) {
    if (nestsQuantifiers(pattern)) {
      return `the regular expression "${pattern}" repeats a group that itself repeats, which can take exponential time; rewrite it without nested quantifiers`;
    }
  }
  return undefined;
}

function structureProblem(source: string): string | undefined {
  const open: string[] = [];
  const closing: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (inString) {
      if (char === '\\') {
        if (source[i + 1] === '(') {
          open.push('interpolation');
          inString = false;
          i++;
        } else {
          i++;
        }
      } else if (char === '"') {
        inString = false;
      }
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '#') {
      const end = source.indexOf('\n', i);
      if (end === -1) break;
      i = end;
    } else if (char === '(' || char === '[' || char === '{') open.push(char);
    else if (char in closing) {
      const top = open.pop();
      if (top === 'interpolation' && char === ')') inString = true;
      else if (top !== closing[char]) return `"${char}" at position ${i} closes nothing it opened`;
    }
  }
  if (inString) return 'a string is not closed';
  if (open.length) return `"${open[open.length - 1] === 'interpolation' ? '\\(' : open[open.length - 1]}" is not closed`;
  return undefined;
}

/** Literal patterns given to jq's regex builtins: `test("…")`, `sub("…"; …)`, `split("…"; flags)`… */
function regexLiterals(source: string): string[] {
  const patterns: string[] = [];
  const call = /\b(test|match|capture|scan|splits|sub|gsub|split)\s*\(\s*"((?:[^"\\]|\\.)*)"/g;
  for (const found of source.matchAll(call)) {
    try {
      patterns.push(JSON.parse(`"${found[2]}"`) as string);
    } catch {
      // An interpolated or odd literal: jq's compiler judges it; the time limit bounds it.
    }
  }
  return patterns;
}

/** True when a group that repeats without bound contains a quantifier (`(a+)+`, `(\w*)*`, `(x?){2,}`). */
export function nestsQuantifiers(pattern: string): boolean {
  const groups: boolean[] = []; // per open group: whether it contains a quantifier
  let afterQuantifiedGroup = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    let quantifier: 'bounded' | 'unbounded' | undefined;
    if (char === '*' || char === '+') quantifier = 'unbounded';
    else if (char === '?') quantifier = 'bounded';
    else if (char === '{') {
      const count = /^\{(\d*)(,\d*)?\}/.exec(pattern.slice(i));
      if (count) {
        quantifier = count[2] === undefined ? 'bounded' : 'unbounded';
        i += count[0].length - 1;
      }
    }
    if (quantifier) {
      if (afterQuantifiedGroup && quantifier === 'unbounded') return true;
      if (groups.length) groups[groups.length - 1] = true;
      afterQuantifiedGroup = false;
      if (pattern[i + 1] === '?' || pattern[i + 1] === '+') i++; // lazy or possessive
      continue;
    }
    afterQuantifiedGroup = false;
    if (char === '\\') i++;
    else if (char === '[') {
      for (i += pattern[i + 1] === ']' ? 2 : 1; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    } else if (char === '(') {
      groups.push(false);
      if (pattern[i + 1] === '?') i++; // (?: (?<name> (?i) are group syntax, not a quantifier
    } else if (char === ')') {
      const contained = groups.pop() ?? false;
      if (contained && groups.length) groups[groups.length - 1] = true;
      afterQuantifiedGroup = contained;
    }
  }
  return false;
}

/** Every jq expression of a resource with its path, in a fixed order (leaves as the program emits them). */
export function jqLeaves(
  resource: ResourceConfig,
  index: number,
): {
  selector: { source: string; path: string } | null;
  itemsToParse: { source: string; path: string } | null;
  leaves: Array<{ source: string; path: string; name: string; group?: 'properties' | 'relations' }>;
} {
  const at = `resources[${index}]`;
  const mappings = resource.port.entity.mappings;
  const leaves: Array<{ source: string; path: string; name: string; group?: 'properties' | 'relations' }> = [];
  for (const field of SCALAR_FIELDS) {
    const source = mappings[field];
    if (source !== undefined) leaves.push({ source, path: `${at}.port.entity.mappings.${field}`, name: field });
  }
  for (const group of ['properties', 'relations'] as const) {
    for (const [name, source] of Object.entries(mappings[group])) {
      leaves.push({ source, path: `${at}.port.entity.mappings.${group}${keyPath(name)}`, name, group });
    }
  }
  const query = resource.selector.query.trim();
  return {
    selector: query === 'true' ? null : { source: query, path: `${at}.selector.query` },
    itemsToParse: resource.port.itemsToParse ? { source: resource.port.itemsToParse, path: `${at}.port.itemsToParse` } : null,
    leaves,
  };
}

/** Result tags of the page program, one array per expanded item: `[position, tag, …]`. */
export const JQ_RESULT = {
  mapped: 0,
  filtered: 1,
  selectorFailed: 2,
  selectorNotBoolean: 3,
  itemsToParseFailed: 4,
  itemsToParseNotArray: 5,
} as const;

/**
 * The page program. Input: an array of raw items. Output: an array with, per expanded item,
 * `[position, 0, [leaf…]]` where each leaf is `[]` (no output), `[value]` or `{"e": message}`, or
 * `[position, 1]` (filtered out), or a failure tag with its message. Each expression is a
 * top-level def, so it sees its input and nothing of the program (no page, no positions).
 */
export function pageProgram(resource: ResourceConfig, index: number): string {
  const { selector, itemsToParse, leaves } = jqLeaves(resource, index);
  const defs = [
    selector ? `def __mooring_selector: (${formatFilter(selector.source)});` : '',
    itemsToParse ? `def __mooring_items: (${formatFilter(itemsToParse.source)});` : '',
    ...leaves.map((leaf, i) => `def __mooring_f${i}: (${formatFilter(leaf.source)});`),
    'def __mooring_value(f): try [first(f)] catch {e: tostring};',
  ].join(' ');
  const values = `[${leaves.map((_leaf, i) => `__mooring_value(__mooring_f${i})`).join(', ')}]`;
  const mapped = `[$i, ${JQ_RESULT.mapped}, ${values}]`;
  const item = selector
    ? `(try {ok: [first(__mooring_selector)]} catch {e: tostring}) as $s | ` +
      `if $s.e != null then [$i, ${JQ_RESULT.selectorFailed}, $s.e] ` +
      `elif $s.ok == [true] then ${mapped} ` +
      `elif $s.ok == [false] then [$i, ${JQ_RESULT.filtered}] ` +
      `else [$i, ${JQ_RESULT.selectorNotBoolean}, ($s.ok | if length == 0 then "nothing" else (.[0] | tojson | .[0:50]) end)] end`
    : mapped;
  const name = JSON.stringify(resource.port.itemsToParseName);
  const removeFromParent = resource.port.itemsToParseTopLevelTransform ? '(try del(__mooring_items) catch .)' : '.';
  const expanded = itemsToParse
    ? `(try {ok: [first(__mooring_items)]} catch {e: tostring}) as $x | ` +
      `if $x.e != null then [$i, ${JQ_RESULT.itemsToParseFailed}, $x.e] ` +
      `elif ($x.ok | length) == 0 or $x.ok[0] == null then empty ` +
      `elif ($x.ok[0] | type) != "array" then [$i, ${JQ_RESULT.itemsToParseNotArray}, ($x.ok[0] | type)] ` +
      `else ${removeFromParent} as $parent | $x.ok[0][] | ($parent + {(${name}): .}) | (${item}) end`
    : item;
  return `${ENV_STUB}${defs} [range(0; length) as $i | .[$i] | (${expanded})]`;
}
