import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import type { z } from 'zod';
import { IntegrationCatalog, InstallationService } from '@mooring/installations';
import type { InstallationRecord } from '@mooring/persistence';
import { currentTenant } from '@mooring/platform';
import { RunRequests } from '@mooring/runs';
import { SyncStatusService } from '@mooring/sync';
import { Allow } from '../auth/route-access.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { uuidParam } from '../organization/organization.dto.js';
import {
  createInstallationRequest,
  deleteInstallationQuery,
  installationView,
  resyncRequest,
  updateInstallationRequest,
} from './installation.dto.js';
import { installationSyncView } from './sync-status.dto.js';

@Controller('v1/installations')
export class InstallationsController {
  constructor(
    private readonly installations: InstallationService,
    private readonly catalog: IntegrationCatalog,
    private readonly runs: RunRequests,
    private readonly syncs: SyncStatusService,
  ) {}

  /** The data-sources overview: each installation with its state, last and active run, and entity counts. */
  @Get()
  @Allow('member')
  async list() {
    const { orgId } = currentTenant();
    const installations = await this.installations.list(orgId);
    const overview = await this.syncs.overview(
      orgId,
      installations.map((installation) => installation.id),
    );
    return {
      installations: installations.map((installation) => ({
        ...this.view(installation),
        ...installationSyncView(overview.get(installation.id)),
      })),
    };
  }

  /** Custom settings: validated, host checked, credentials verified live, then stored encrypted. */
  @Post()
  @Allow('admin')
  async create(@Body(new ZodPipe(createInstallationRequest)) body: z.output<typeof createInstallationRequest>) {
    return { installation: this.view(await this.installations.create(currentTenant(), body)) };
  }

  @Get(':id')
  @Allow('member')
  async get(@Param('id', new ZodPipe(uuidParam, 'path')) id: string) {
    const { orgId } = currentTenant();
    const installation = await this.installations.get(orgId, id);
    const overview = await this.syncs.overview(orgId, [id]);
    return { installation: { ...this.view(installation), ...installationSyncView(overview.get(id)) } };
  }

  @Patch(':id')
  @Allow('admin')
  async update(
    @Param('id', new ZodPipe(uuidParam, 'path')) id: string,
    @Body(new ZodPipe(updateInstallationRequest)) body: z.output<typeof updateInstallationRequest>,
  ) {
    return { installation: this.view(await this.installations.update(currentTenant(), id, body)) };
  }

  /**
   * A resync now: 202 with the new run's id, or 409 RUN_ACTIVE with the id of the run already
   * active. `{"acceptFetchDrop": true}` lets that one run delete despite the installation's
   * maxFetchDrop (audited).
   */
  @Post(':id/resync')
  @HttpCode(202)
  @Allow('moderator')
  async resync(
    @Param('id', new ZodPipe(uuidParam, 'path')) id: string,
    @Body(new ZodPipe(resyncRequest)) body: z.output<typeof resyncRequest>,
  ) {
    const { runId } = await this.runs.resync(currentTenant().orgId, id, body);
    return { run: { id: runId, status: 'pending', acceptFetchDrop: body.acceptFetchDrop } };
  }

  @Delete(':id')
  @Allow('admin')
  async delete(
    @Param('id', new ZodPipe(uuidParam, 'path')) id: string,
    @Query(new ZodPipe(deleteInstallationQuery, 'query')) query: z.output<typeof deleteInstallationQuery>,
  ) {
    return { deleted: await this.installations.delete(currentTenant(), id, query) };
  }

  private view(installation: InstallationRecord) {
    return installationView(installation, this.catalog.find(installation.integrationId));
  }
}
