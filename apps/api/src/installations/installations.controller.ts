import { Body, Controller, Param, Query } from '@nestjs/common';
import type { z } from 'zod';
import { api, uuid } from '@mooring/contract';
import { InstallationService, type PlatformAppConnection } from '@mooring/installations';
import { IntegrationRegistry } from '@mooring/integrations';
import { SyncCatalogRepository, type InstallationRecord } from '@mooring/persistence';
import { currentTenant } from '@mooring/platform';
import { RunRequests } from '@mooring/runs';
import { SyncStatusService } from '@mooring/sync';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { installationView } from './installation.dto.js';
import { installationSyncView } from './sync-status.dto.js';

const routes = api.installations;

@Controller()
export class InstallationsController {
  constructor(
    private readonly installations: InstallationService,
    private readonly catalog: IntegrationRegistry,
    private readonly runs: RunRequests,
    private readonly syncs: SyncStatusService,
    private readonly syncCatalog: SyncCatalogRepository,
  ) {}

  /** The data-sources overview: each installation with its state, last and active run, and entity counts. */
  @Endpoint(routes.list)
  async list() {
    const { orgId } = currentTenant();
    const installations = await this.installations.list(orgId);
    const [overview, apps] = await Promise.all([
      this.syncs.overview(
        orgId,
        installations.map((installation) => installation.id),
      ),
      this.installations.appConnections(orgId, installations),
    ]);
    return {
      installations: installations.map((installation) => ({
        ...this.view(installation, apps),
        ...installationSyncView(overview.get(installation.id)),
      })),
    };
  }

  /** Custom settings: validated, host checked, credentials verified live, then stored encrypted. */
  @Endpoint(routes.create)
  async create(@Body(new ZodPipe(routes.create.body)) body: z.output<typeof routes.create.body>) {
    return { installation: await this.viewOne(await this.installations.create(currentTenant(), body)) };
  }

  @Endpoint(routes.get)
  async get(@Param('id', new ZodPipe(uuid, 'path')) id: string) {
    const { orgId } = currentTenant();
    const installation = await this.installations.get(orgId, id);
    const [overview, view] = await Promise.all([this.syncs.overview(orgId, [id]), this.viewOne(installation)]);
    return { installation: { ...view, ...installationSyncView(overview.get(id)) } };
  }

  @Endpoint(routes.update)
  async update(
    @Param('id', new ZodPipe(uuid, 'path')) id: string,
    @Body(new ZodPipe(routes.update.body)) body: z.output<typeof routes.update.body>,
  ) {
    return { installation: await this.viewOne(await this.installations.update(currentTenant(), id, body)) };
  }

  /** The first raw items of each kind from the last run that fetched it, for the mapping "test" tab. */
  @Endpoint(routes.samples)
  async samples(@Param('id', new ZodPipe(uuid, 'path')) id: string) {
    const { orgId } = currentTenant();
    await this.installations.get(orgId, id);
    const samples = await this.syncCatalog.rawSamples(orgId, id);
    return {
      samples: Object.fromEntries(
        samples.map((sample) => [
          sample.kind,
          { items: sample.items as Record<string, unknown>[], runId: sample.runId, capturedAt: sample.capturedAt.toISOString() },
        ]),
      ),
    };
  }

  @Endpoint(routes.tryKind)
  tryKind(@Param(new ZodPipe(routes.tryKind.params, 'path')) params: z.output<typeof routes.tryKind.params>) {
    return this.installations.tryKind(currentTenant().orgId, params.id, params.kind);
  }

  /**
   * A resync now: 202 with the new run's id, or 409 RUN_ACTIVE with the id of the run already
   * active. `{"acceptFetchDrop": true}` lets that one run delete despite the installation's
   * maxFetchDrop (audited).
   */
  @Endpoint(routes.resync)
  async resync(
    @Param('id', new ZodPipe(uuid, 'path')) id: string,
    @Body(new ZodPipe(routes.resync.body)) body: z.output<typeof routes.resync.body>,
  ) {
    const { runId } = await this.runs.resync(currentTenant().orgId, id, body);
    return { run: { id: runId, status: 'pending' as const, acceptFetchDrop: body.acceptFetchDrop } };
  }

  @Endpoint(routes.delete)
  async delete(
    @Param('id', new ZodPipe(uuid, 'path')) id: string,
    @Query(new ZodPipe(routes.delete.query, 'query')) query: z.output<typeof routes.delete.query>,
  ) {
    return { deleted: await this.installations.delete(currentTenant(), id, query) };
  }

  private view(installation: InstallationRecord, apps: ReadonlyMap<string, PlatformAppConnection>) {
    return installationView(installation, this.catalog.find(installation.integrationId), apps.get(installation.id) ?? null);
  }

  private async viewOne(installation: InstallationRecord) {
    return this.view(installation, await this.installations.appConnections(installation.orgId, [installation]));
  }
}
