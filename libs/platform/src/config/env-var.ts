import { z } from 'zod';

/** One environment variable: its name, how to parse it, and whether its value is a secret. */
export interface EnvVar<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly description: string;
  readonly sensitive: boolean;
}

export function envVar<S extends z.ZodType>(
  name: string,
  schema: S,
  options: { description: string; sensitive?: boolean },
): EnvVar<S> {
  return { name, schema, description: options.description, sensitive: options.sensitive ?? false };
}

/** Config is grouped (`db`, `redis`, `http`, ...); each group is a record of variables. */
export type ConfigSpec = Readonly<Record<string, Readonly<Record<string, EnvVar>>>>;

export type ConfigOf<T extends ConfigSpec> = {
  readonly [G in keyof T]: { readonly [K in keyof T[G]]: z.output<T[G][K]['schema']> };
};

export const port = () => z.coerce.number().int().min(0).max(65_535);
export const positiveInt = () => z.coerce.number().int().positive();
export const flag = () => z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
export const url = (protocols: readonly string[]) =>
  z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`), error: `must be a ${protocols.join(' or ')} URL` });
