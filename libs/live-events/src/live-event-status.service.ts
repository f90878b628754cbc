import { Injectable } from '@nestjs/common';
import { LiveEventRepository, type LiveCounts, type LiveLogEntry } from '@mooring/persistence';

export interface LiveKindCounts {
  /** The integration's kind, or null for what is counted per delivery (received, refused, duplicate). */
  readonly kind: string | null;
  readonly lastHour: LiveCounts;
  readonly lastDay: LiveCounts;
}

/** Live-event counts (last hour and day) and the bounded log, for the status API and the console. */
@Injectable()
export class LiveEventStatus {
  constructor(private readonly events: LiveEventRepository) {}

  async counts(orgId: string, installationId: string, now = new Date()): Promise<LiveKindCounts[]> {
    const hourAgo = new Date(now.getTime() - 3_600_000);
    const dayAgo = new Date(now.getTime() - 86_400_000);
    const rows = await this.events.counts(orgId, installationId, [dayAgo, hourAgo]);
    return rows.map((row) => ({ kind: row.kind || null, lastDay: row.totals[0]!, lastHour: row.totals[1]! }));
  }

  log(orgId: string, installationId: string, limit: number, beforeId?: string): Promise<LiveLogEntry[]> {
    return this.events.log(orgId, installationId, limit, beforeId);
  }
}
