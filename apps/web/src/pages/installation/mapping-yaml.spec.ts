import { describe, expect, it } from 'vitest';
import { locatePath, mappingToYaml, parseMappingYaml } from './mapping-yaml';

const mapping = {
  resources: [
    { kind: 'team', port: { entity: { mappings: { identifier: 'id', title: 'name' } } } },
    { kind: 'service', port: { entity: { mappings: { identifier: 'id', title: 'name &&& x', properties: { url: 'url' } } } } },
  ],
};

describe('the mapping as YAML', () => {
  const text = mappingToYaml(mapping);
  const at = (path: string) => {
    const { from, to } = locatePath(text, path);
    return text.slice(from, to);
  };

  it('round-trips a mapping through YAML', () => {
    expect(parseMappingYaml(text)).toEqual({ mapping });
  });

  it('finds the value an api error path names, in the right resource', () => {
    expect(at('resources[1].port.entity.mappings.title')).toBe('name &&& x');
    expect(at('resources[1].port.entity.mappings.properties.url')).toBe('url');
    expect(at('resources[0].port.entity.mappings.title')).toBe('name');
  });

  it('points a missing field at the deepest part that exists', () => {
    expect(at('resources[0].port.entity.mappings.blueprint')).toBe('mappings');
    expect(at('resources[7].kind')).toBe('resources');
  });

  it('reads JSON as YAML too (what a paste often is)', () => {
    const json = JSON.stringify(mapping, null, 2);
    expect(parseMappingYaml(json)).toEqual({ mapping });
    expect(json.slice(locatePath(json, 'resources[1].port.entity.mappings.title').from)).toMatch(/^"name &&& x"/);
  });

  it('reports syntax errors at their line, and a mapping that is not an object', () => {
    const broken = parseMappingYaml('resources:\n  - kind: team\n    port: [unclosed\n');
    expect('issues' in broken && broken.issues[0]!.path).toMatch(/^\(yaml\) line \d+/);
    expect(parseMappingYaml('- just\n- a list\n')).toMatchObject({ issues: [{ path: '(root)' }] });
  });
});
