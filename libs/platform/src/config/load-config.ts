import { DomainError } from '../errors/domain-error.js';
import { registerSecret } from '../logging/secret-registry.js';
import type { ConfigOf, ConfigSpec, EnvVar } from './env-var.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment once, at boot, into a typed and grouped object. Every bad or missing
 * variable is reported by name (never by secret value). Sensitive values are registered so that
 * the logger redacts them wherever they appear.
 *
 * This module is the only place that may read `process.env`.
 */
export function loadConfig<T extends ConfigSpec>(spec: T, env: Environment = process.env): ConfigOf<T> {
  const problems: string[] = [];
  const config: Record<string, Record<string, unknown>> = {};
  for (const [groupName, group] of Object.entries(spec)) {
    const values: Record<string, unknown> = {};
    for (const [key, variable] of Object.entries(group)) {
      const raw = env[variable.name];
      const result = variable.schema.safeParse(raw === '' ? undefined : raw);
      if (result.success) {
        values[key] = result.data;
        if (variable.sensitive && typeof result.data === 'string') registerSecret(result.data);
      } else {
        problems.push(describeProblem(variable, raw, result.error.issues[0]?.message ?? 'invalid'));
      }
    }
    config[groupName] = values;
  }
  if (problems.length) {
    throw new DomainError('CONFIG_INVALID', `Invalid configuration:\n  ${problems.join('\n  ')}`, {
      variables: problems.map((problem) => problem.split(':', 1)[0]),
    });
  }
  return config as ConfigOf<T>;
}

function describeProblem(variable: EnvVar, raw: string | undefined, message: string): string {
  if (raw === undefined || raw === '') return `${variable.name}: is required (${variable.description})`;
  const shown = variable.sensitive ? '' : ` (got "${raw.length > 80 ? `${raw.slice(0, 80)}…` : raw}")`;
  return `${variable.name}: ${message}${shown}`;
}

/** Every variable of a spec, for documentation checks. */
export function listVariables(spec: ConfigSpec): EnvVar[] {
  return Object.values(spec).flatMap((group) => Object.values(group));
}
