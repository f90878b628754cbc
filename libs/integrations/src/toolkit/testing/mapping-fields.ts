import jsonata from 'jsonata';
import type { JsonObject, JsonValue } from '../../integration-definition.js';

// For fidelity checks: which fields of the tool's items a default mapping reads, so a test can
// hold them against the vendor's published response schema (shipped as a fixture).

type Node = { type?: string; value?: unknown; steps?: Node[]; stages?: Node[]; expr?: Node } & Record<string, unknown>;

/** The field paths (`service.id`, `assignments.assignee.summary`) each JSONata leaf of a mapping resource reads. */
export function fieldsRead(mappings: JsonObject): string[][] {
  const paths: string[][] = [];
  const leaves = (value: JsonValue): void => {
    if (typeof value === 'string') collect(jsonata(value).ast() as unknown as Node, [], paths);
    else if (value && typeof value === 'object' && !Array.isArray(value)) Object.values(value).forEach(leaves);
  };
  leaves(mappings);
  return paths;
}

function collect(node: Node | undefined, prefix: string[], into: string[][]): void {
  if (!node || typeof node !== 'object') return;
  if (node.type === 'path' && node.steps) {
    const path = [...prefix];
    for (const step of node.steps) {
      if (step.type !== 'name') {
        collect(step, [], into);
        break;
      }
      path.push(String(step.value));
      for (const stage of step.stages ?? []) collect(stage.expr, path, into);
    }
    into.push(path);
    return;
  }
  if (node.type === 'name') {
    into.push([...prefix, String(node.value)]);
    for (const stage of node.stages ?? []) collect(stage.expr, [...prefix, String(node.value)], into);
    return;
  }
  if (node.type === 'variable' || node.type === 'string' || node.type === 'number' || node.type === 'value') return;
  for (const [key, child] of Object.entries(node)) {
    if (key === 'position' || key === 'type' || key === 'value' || key === 'procedure') continue;
    if (Array.isArray(child)) child.forEach((each) => collect(each as Node, prefix, into));
    else if (child && typeof child === 'object') collect(child as Node, prefix, into);
  }
}

/** Whether `path` exists in a schema shape (`{field: type | shape | [shape]}`), arrays looked through. */
export function inSchema(shape: JsonValue, path: readonly string[]): boolean {
  let current: JsonValue = shape;
  for (const segment of path) {
    while (Array.isArray(current)) current = current[0] ?? null;
    if (!current || typeof current !== 'object' || !(segment in current)) return false;
    current = current[segment]!;
  }
  return true;
}
