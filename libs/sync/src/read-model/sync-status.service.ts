import { Injectable } from '@nestjs/common';
import { DomainError } from '@mooring/platform';
import {
  InstallationRepository,
  SyncRunEventRepository,
  SyncRunHistoryRepository,
  SyncRunRepository,
  type InstallationSyncOverview,
  type Page,
  type SyncRunEventRecord,
  type SyncRunRecord,
} from '@mooring/persistence';
import { troubleshootingTips, type TroubleshootingTip } from './troubleshooting-tips.js';

export interface SyncStatus {
  readonly run: SyncRunRecord | null;
  readonly tips: readonly TroubleshootingTip[];
}

/**
 * What users read about an installation's syncs: a run's status with troubleshooting tips, the run
 * history, a run's event log and the data-sources overview. Runs are only ever found through their
 * installation, so another installation's (or organization's) run id is a 404.
 */
@Injectable()
export class SyncStatusService {
  constructor(
    private readonly installations: InstallationRepository,
    private readonly runs: SyncRunRepository,
    private readonly runHistory: SyncRunHistoryRepository,
    private readonly runEvents: SyncRunEventRepository,
  ) {}

  /** The given run, or the installation's newest one (`run: null` before any). */
  async status(orgId: string, installationId: string, runId?: string): Promise<SyncStatus> {
    await this.installation(orgId, installationId);
    const run = runId ? await this.run(orgId, installationId, runId) : await this.runHistory.latest(orgId, installationId);
    return { run, tips: troubleshootingTips(run) };
  }

  async history(
    orgId: string,
    installationId: string,
    query: { limit: number; after?: { createdAt: Date; id: string } },
  ): Promise<Page<SyncRunRecord>> {
    await this.installation(orgId, installationId);
    return this.runHistory.history(orgId, installationId, query);
  }

  async events(
    orgId: string,
    installationId: string,
    runId: string,
    query: { limit: number; afterSeq?: string },
  ): Promise<Page<SyncRunEventRecord>> {
    await this.installation(orgId, installationId);
    await this.run(orgId, installationId, runId);
    return this.runEvents.events(orgId, runId, query);
  }

  overview(orgId: string, installationIds: readonly string[]): Promise<Map<string, InstallationSyncOverview>> {
    return this.runHistory.overview(orgId, installationIds);
  }

  private async installation(orgId: string, id: string): Promise<void> {
    if (!(await this.installations.find(orgId, id))) {
      throw new DomainError('NOT_FOUND', `Installation ${id} was not found`, { resource: 'installation', id });
    }
  }

  private async run(orgId: string, installationId: string, runId: string): Promise<SyncRunRecord> {
    const run = await this.runs.find(orgId, runId);
    if (!run || run.installationId !== installationId) {
      throw new DomainError('NOT_FOUND', `Sync run ${runId} of installation ${installationId} was not found`, {
        resource: 'sync_run',
        id: runId,
      });
    }
    return run;
  }
}
