import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isDomainError } from '../errors/domain-error.js';
import { scrubSecrets } from '../logging/secret-registry.js';
import { envVar, port } from './env-var.js';
import { loadConfig } from './load-config.js';

const spec = {
  http: { port: envVar('TEST_PORT', port().default(3000), { description: 'port' }) },
  auth: {
    secret: envVar('TEST_SECRET', z.string().min(32, 'must be at least 32 characters'), {
      description: 'signing key',
      sensitive: true,
    }),
  },
};

function failure(env: Record<string, string>): { message: string; variables: unknown } {
  try {
    loadConfig(spec, env);
  } catch (error) {
    if (isDomainError(error, 'CONFIG_INVALID')) return { message: error.message, variables: error.details['variables'] };
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('returns typed, grouped values with defaults', () => {
    const config = loadConfig(spec, { TEST_SECRET: 'k'.repeat(32) });
    expect(config).toEqual({ http: { port: 3000 }, auth: { secret: 'k'.repeat(32) } });
    expect(loadConfig(spec, { TEST_SECRET: 'k'.repeat(32), TEST_PORT: '8080' }).http.port).toBe(8080);
  });

  it('names every missing or invalid variable', () => {
    const { message, variables } = failure({ TEST_PORT: 'eighty' });
    expect(variables).toEqual(['TEST_PORT', 'TEST_SECRET']);
    expect(message).toContain('TEST_PORT');
    expect(message).toContain('"eighty"');
    expect(message).toContain('TEST_SECRET: is required');
  });

  it('treats an empty value as missing', () => {
    expect(failure({ TEST_SECRET: '' }).variables).toEqual(['TEST_SECRET']);
  });

  it('never echoes the value of a sensitive variable', () => {
    const { message } = failure({ TEST_SECRET: 'short-secret-value' });
    expect(message).toContain('TEST_SECRET: must be at least 32 characters');
    expect(message).not.toContain('short-secret-value');
  });

  it('registers sensitive values for log redaction', () => {
    const secret = `s3cr3t-${'x'.repeat(30)}`;
    loadConfig(spec, { TEST_SECRET: secret });
    expect(scrubSecrets(`connecting with ${secret}!`)).toBe('connecting with [redacted]!');
  });
});
