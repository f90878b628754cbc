import { describe, expect, it } from 'vitest';
import { intervalOffsetMs, nextRunAt, parseDuration, scheduleInput, scheduleView } from './schedule.js';

describe('schedules', () => {
  const parse = (input: unknown, min?: number) => scheduleInput(min).safeParse(input);

  it('accepts the presets and any interval between 5 minutes and 7 days', () => {
    for (const every of ['15m', '30m', '1h', '2h', '6h', '12h', '24h', '5m', '7d', '90m']) {
      expect(parse({ every }).success, every).toBe(true);
    }
    expect(parse({ every: '2h' }).data).toEqual({ type: 'interval', everySeconds: 7200 });
  });

  it('refuses intervals out of range or unreadable, naming the field', () => {
    for (const every of ['4m', '8d', '1w', 'hourly', '-5m']) {
      const result = parse({ every });
      expect(result.success, every).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['every']);
    }
  });

  it('allows shorter intervals only when the minimum is lowered (tests)', () => {
    expect(parse({ every: '10s' }).success).toBe(false);
    expect(parse({ every: '10s' }, 5).data).toEqual({ type: 'interval', everySeconds: 10 });
  });

  it('accepts cron expressions with a time zone and refuses bad ones', () => {
    expect(parse({ cron: '0 6 * * 1-5', timezone: 'Europe/Berlin' }).data).toEqual({
      type: 'cron',
      expression: '0 6 * * 1-5',
      timezone: 'Europe/Berlin',
    });
    expect(parse({ cron: '0 6 * * *' }).data).toMatchObject({ timezone: 'UTC' });
    expect(parse({ cron: 'every day', timezone: 'UTC' }).error?.issues[0]?.path).toEqual(['cron']);
    expect(parse({ cron: '* * * * *', timezone: 'UTC' }).error?.issues[0]?.message).toMatch(/more often than every 5m/);
    expect(parse({ cron: '0 6 * * *', timezone: 'Mars/Olympus' }).error?.issues[0]?.path).toEqual(['timezone']);
    expect(parse({ every: '1h', cron: '0 * * * *' }).success).toBe(false);
  });

  it('computes the next run of an interval, staggered by a stable per-installation offset', () => {
    const schedule = { type: 'interval', everySeconds: 3600 } as const;
    const after = new Date('2026-11-23T10:15:00Z');
    const offset = intervalOffsetMs('installation-a', 3_600_000);
    expect(offset).toBeGreaterThan(0);
    expect(intervalOffsetMs('installation-a', 3_600_000)).toBe(offset);
    const next = nextRunAt(schedule, 'installation-a', after);
    expect(next.getTime()).toBeGreaterThan(after.getTime());
    expect(next.getTime() - after.getTime()).toBeLessThanOrEqual(3_600_000);
    expect(next.getTime() % 3_600_000).toBe(offset);
  });

  it('computes the next run of a cron schedule in its time zone', () => {
    const schedule = { type: 'cron', expression: '0 9 * * *', timezone: 'America/New_York' } as const;
    expect(nextRunAt(schedule, 'x', new Date('2026-07-01T12:00:00Z')).toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(nextRunAt(schedule, 'x', new Date('2026-12-01T15:00:00Z')).toISOString()).toBe('2026-12-02T14:00:00.000Z');
  });

  it('shows schedules the way users write them', () => {
    expect(scheduleView({ type: 'interval', everySeconds: 86_400 })).toEqual({ every: '1d' });
    expect(scheduleView({ type: 'interval', everySeconds: 5400 })).toEqual({ every: '90m' });
    expect(parseDuration('24h')).toBe(86_400);
  });
});
