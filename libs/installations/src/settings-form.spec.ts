import { describe, expect, it } from 'vitest';
import type { SettingField } from '@mooring/integrations';
import { isDomainError } from '@mooring/platform';
import { parseSettings, secretHints, settingsJsonSchema } from './settings-form.js';

const fields: SettingField[] = [
  { name: 'token', title: 'Token', description: 'API token', type: 'string', required: true, sensitive: true },
  { name: 'host', title: 'Host', description: 'Self-hosted URL', type: 'url', required: false, sensitive: false },
  { name: 'team', title: 'Team', description: 'Filter', type: 'string', required: false, sensitive: false },
];

function fieldsOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    if (isDomainError(error, 'VALIDATION_FAILED')) return error.details['fields'];
    throw error;
  }
  throw new Error('expected VALIDATION_FAILED');
}

describe('custom settings forms', () => {
  it('splits secrets from settings, trimming values', () => {
    expect(parseSettings(fields, { token: ' t0k3n ', host: 'https://x.example', team: '' })).toEqual({
      settings: { host: 'https://x.example' },
      secrets: { token: 't0k3n' },
      cleared: ['team'],
    });
  });

  it('names missing and unknown fields under settings', () => {
    expect(fieldsOf(() => parseSettings(fields, { host: 'https://x.example' }))).toEqual([
      { field: 'settings.token', message: 'is required' },
    ]);
    expect(fieldsOf(() => parseSettings(fields, { token: 't', colour: 'red' }))).toEqual([
      { field: 'settings', message: expect.stringContaining('colour') },
    ]);
    expect(fieldsOf(() => parseSettings(fields, { token: 't' }, { only: (field) => !field.sensitive }))).toEqual([
      { field: 'settings', message: expect.stringContaining('token') },
    ]);
  });

  it('accepts a partial change, but not an empty required field', () => {
    expect(parseSettings(fields, { team: 'core' }, { partial: true }).settings).toEqual({ team: 'core' });
    expect(fieldsOf(() => parseSettings(fields, { token: '' }, { partial: true }))).toEqual([
      { field: 'settings.token', message: 'is required' },
    ]);
  });

  it('describes the form as JSON Schema with sensitive fields write-only', () => {
    expect(settingsJsonSchema(fields)).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['token'],
      properties: { token: { writeOnly: true, title: 'Token' }, host: { format: 'uri' }, team: { type: 'string' } },
    });
  });

  it('shows at most the last 4 characters, and nothing of short secrets', () => {
    expect(secretHints({ token: 'ghp_0123456789abcdefWXYZ', pin: '123456' })).toEqual({ token: 'WXYZ', pin: '' });
  });
});
