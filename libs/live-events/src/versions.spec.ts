import { describe, expect, it } from 'vitest';
import { compareVersions } from './versions.js';

describe('compareVersions', () => {
  it('orders numbers by value, not as text', () => {
    expect(compareVersions(9, 10)).toBe(-1);
    expect(compareVersions('10', '9')).toBe(1);
  });

  it('orders times by instant, whatever their offsets', () => {
    expect(compareVersions('2026-09-03T14:02:11Z', '2026-09-03T16:02:10+02:00')).toBe(1);
    expect(compareVersions('2026-09-03T14:02:10Z', '2026-09-03T14:02:11Z')).toBe(-1);
  });

  it('never calls an unknown version older', () => {
    expect(compareVersions(undefined, '2026-09-03T14:02:11Z')).toBe(0);
    expect(compareVersions(3, undefined)).toBe(0);
  });
});
