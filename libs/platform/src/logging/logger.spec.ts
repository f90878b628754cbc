import { describe, expect, it } from 'vitest';
import { RequestScope, runInScope } from '../tenant/request-scope.js';
import { createLogger } from './logger.js';
import { forgetSecret, registerSecret } from './secret-registry.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', level: 'info', destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

describe('logger', () => {
  it('redacts secret-named fields at any of the first levels', () => {
    const { logger, lines } = capture();
    logger.info(
      { clientSecret: 'abc123', request: { headers: { authorization: 'Bearer xyz' } }, nested: { token: 'tkn' }, ok: 'visible' },
      'm',
    );
    const line = JSON.parse(lines[0]!);
    expect(line.clientSecret).toBe('[redacted]');
    expect(line.nested.token).toBe('[redacted]');
    expect(line.ok).toBe('visible');
  });

  it('redacts a registered secret wherever it appears, including inside messages and errors', () => {
    const { logger, lines } = capture();
    const token = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
    registerSecret(token, { runtime: true });
    logger.error({ err: new Error(`GitHub said no to ${token}`) }, `calling with "${token}"`);
    expect(lines.join('')).not.toContain(token);
    expect(lines.join('')).toContain('[redacted]');
    forgetSecret(token);
    logger.info(`now ${token}`);
    expect(lines.at(-1)).toContain(token);
  });

  it('adds the request id and tenant of the current scope', () => {
    const { logger, lines } = capture();
    const scope = new RequestScope('req-12345678');
    scope.bindTenant({ orgId: 'org-1', principal: { kind: 'api_client', id: 'client-1', role: 'admin' } });
    runInScope(scope, () => logger.info('inside'));
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'req-12345678', orgId: 'org-1', principal: 'client-1' });
  });
});
