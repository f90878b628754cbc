import { describe, expect, it } from 'vitest';
import { safeNext } from './sign-in-page';

describe('where sign-in returns to', () => {
  it('returns to a page of the console', () => {
    expect(safeNext('/installations/1/sync-status?run=2')).toBe('/installations/1/sync-status?run=2');
  });

  it('never leaves the console for another origin', () => {
    for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '', null]) {
      expect(safeNext(next), String(next)).toBe('/data-sources');
    }
  });
});
