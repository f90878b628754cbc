import { createHash } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/** How often an installation resyncs: a fixed interval, or a cron expression in a time zone. */
export type Schedule =
  | { readonly type: 'interval'; readonly everySeconds: number }
  | { readonly type: 'cron'; readonly expression: string; readonly timezone: string };

/** The intervals the web app offers; any value within the limits is accepted too. */
export const INTERVAL_PRESETS = ['15m', '30m', '1h', '2h', '6h', '12h', '24h'] as const;

export const MIN_INTERVAL_SECONDS = 5 * 60;
export const MAX_INTERVAL_SECONDS = 7 * 24 * 60 * 60;
export const DEFAULT_SCHEDULE: Schedule = { type: 'interval', everySeconds: 60 * 60 };

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Parses a duration such as `15m`, `1h`, `2d` or `90s` into seconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,7})([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The schedule as users write it: `{ "every": "1h" }` or `{ "cron": "0 6 * * 1-5", "timezone": "Europe/Berlin" }`.
 * `minIntervalSeconds` is 5 minutes in production; tests lower it through configuration.
 */
export function scheduleInput(minIntervalSeconds = MIN_INTERVAL_SECONDS) {
  const interval = z.strictObject({
    every: z.string().transform((text, context) => {
      const seconds = parseDuration(text);
      if (seconds === undefined) {
        context.addIssue({ code: 'custom', message: 'must be a duration such as 15m, 1h or 2d' });
        return z.NEVER;
      }
      if (seconds < minIntervalSeconds || seconds > MAX_INTERVAL_SECONDS) {
        context.addIssue({
          code: 'custom',
          message: `must be between ${formatDuration(minIntervalSeconds)} and ${formatDuration(MAX_INTERVAL_SECONDS)}`,
        });
        return z.NEVER;
      }
      return seconds;
    }),
  });
  const cron = z.strictObject({
    cron: z.string().min(1).max(200),
    timezone: z.string().default('UTC').refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
  });
  // Dispatch on the key present, so that errors name `every`, `cron` or `timezone` rather than a union.
  return z.record(z.string(), z.unknown()).transform((value, context): Schedule => {
    const schema = 'cron' in value ? cron : 'every' in value ? interval : undefined;
    if (!schema) {
      context.addIssue({ code: 'custom', message: 'must have "every" (e.g. "1h") or "cron" (with an optional "timezone")' });
      return z.NEVER;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return z.NEVER;
    }
    const parsed = result.data;
    if ('every' in parsed) return { type: 'interval', everySeconds: parsed.every };
    try {
      const expression = CronExpressionParser.parse(parsed.cron, { tz: parsed.timezone });
      const [first, second] = [expression.next().getTime(), expression.next().getTime()];
      if (second - first < minIntervalSeconds * 1000) {
        context.addIssue({
          code: 'custom',
          path: ['cron'],
          message: `must not fire more often than every ${formatDuration(minIntervalSeconds)}`,
        });
        return z.NEVER;
      }
    } catch (error) {
      context.addIssue({
        code: 'custom',
        path: ['cron'],
        message: `is not a valid cron expression (${(error as Error).message})`,
      });
      return z.NEVER;
    }
    return { type: 'cron', expression: parsed.cron, timezone: parsed.timezone };
  });
}

/** The schedule as the API shows it, in the same form users write it. */
export function scheduleView(schedule: Schedule): { every: string } | { cron: string; timezone: string } {
  return schedule.type === 'interval'
    ? { every: formatDuration(schedule.everySeconds) }
    : { cron: schedule.expression, timezone: schedule.timezone };
}

/**
 * A stable per-installation shift within the interval, so installations with the same interval
 * do not all fire at the same instant (BullMQ aligns intervals to multiples of their length).
 * Never 0: BullMQ reads a zero offset as "none" and fires at once on registration.
 */
export function intervalOffsetMs(installationId: string, everyMs: number): number {
  const hash = createHash('sha256').update(installationId).digest();
  return 1 + (hash.readUInt32BE(0) % (everyMs - 1));
}

/** When the schedule next fires after `after`: the same instant BullMQ's job scheduler picks. */
export function nextRunAt(schedule: Schedule, installationId: string, after: Date): Date {
  if (schedule.type === 'cron') {
    return CronExpressionParser.parse(schedule.expression, { tz: schedule.timezone, currentDate: after }).next().toDate();
  }
  const everyMs = schedule.everySeconds * 1000;
  const offset = intervalOffsetMs(installationId, everyMs);
  const base = Math.floor((after.getTime() - offset) / everyMs) * everyMs + everyMs + offset;
  return new Date(base);
}
