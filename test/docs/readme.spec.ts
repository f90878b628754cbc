import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listVariables } from '@mooring/platform';
import { apiConfigSpec } from '../../apps/api/src/config.js';
import { schedulerConfigSpec } from '../../apps/scheduler/src/config.js';
import { workerConfigSpec } from '../../apps/worker/src/config.js';
import { repoRoot } from '../support/processes.js';

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every configuration variable the apps read', () => {
    const variables = [apiConfigSpec, schedulerConfigSpec, workerConfigSpec].flatMap(listVariables).map((v) => v.name);
    const undocumented = [...new Set(variables)].filter((name) => !readme.includes(`| \`${name}\``));
    expect(undocumented).toEqual([]);
  });

  it('marks every sensitive variable as a secret', () => {
    const sensitive = [apiConfigSpec, schedulerConfigSpec, workerConfigSpec].flatMap(listVariables).filter((v) => v.sensitive);
    for (const { name } of sensitive) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      expect(row, name).toMatch(/\| secret\./);
    }
  });

  it('gives the two commands CI runs', () => {
    const ci = fs.readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
    expect(readme).toContain('npm test');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
