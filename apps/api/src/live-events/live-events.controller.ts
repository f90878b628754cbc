import { Controller, Header, Param, Query } from '@nestjs/common';
import type { z } from 'zod';
import { api, uuid } from '@mooring/contract';
import { InstallationService } from '@mooring/installations';
import { HookRegistrations, LiveEventStatus, type HookView } from '@mooring/live-events';
import type { LiveLogEntry } from '@mooring/persistence';
import { currentTenant } from '@mooring/platform';
import { Endpoint } from '../http/endpoint.decorator.js';
import { ZodPipe } from '../http/zod.pipe.js';

const routes = api.liveEvents;

/** An installation's live events: its webhook and counts, the log, secret rotation, registering again. */
@Controller()
export class LiveEventsController {
  constructor(
    private readonly installations: InstallationService,
    private readonly hooks: HookRegistrations,
    private readonly status: LiveEventStatus,
  ) {}

  @Endpoint(routes.get)
  async get(@Param('id', new ZodPipe(uuid, 'path')) id: string) {
    const { orgId } = currentTenant();
    const installation = await this.installations.get(orgId, id);
    const [hook, counts] = await Promise.all([
      this.hooks.status(orgId, id, installation.integrationId),
      this.status.counts(orgId, id),
    ]);
    return { hook: hookView(hook), counts };
  }

  @Endpoint(routes.log)
  async log(
    @Param('id', new ZodPipe(uuid, 'path')) id: string,
    @Query(new ZodPipe(routes.log.query, 'query')) query: z.output<typeof routes.log.query>,
  ) {
    const { orgId } = currentTenant();
    await this.installations.get(orgId, id);
    const entries = await this.status.log(orgId, id, query.limit + 1, query.before);
    const page = entries.slice(0, query.limit);
    return { entries: page.map(logEntryView), next: entries.length > query.limit ? (page.at(-1)?.id ?? null) : null };
  }

  @Endpoint(routes.rotateSecret)
  // The answer may carry the new secret: no cache keeps it.
  @Header('Cache-Control', 'no-store')
  async rotateSecret(@Param('id', new ZodPipe(uuid, 'path')) id: string) {
    const { orgId } = currentTenant();
    const installation = await this.installations.get(orgId, id);
    const { hook, secret } = await this.hooks.rotate(orgId, id, installation.integrationId);
    return { ...hookView(hook), ...(secret === undefined ? {} : { secret }) };
  }

  @Endpoint(routes.register)
  async register(@Param('id', new ZodPipe(uuid, 'path')) id: string) {
    const { orgId } = currentTenant();
    const installation = await this.installations.get(orgId, id);
    return hookView(await this.hooks.registerAgain(orgId, id, installation.integrationId));
  }
}

function hookView(hook: HookView) {
  return {
    ...hook,
    registeredAt: hook.registeredAt?.toISOString() ?? null,
    expiresAt: hook.expiresAt?.toISOString() ?? null,
    secretRotatedAt: hook.secretRotatedAt?.toISOString() ?? null,
    previousSecretValidUntil: hook.previousSecretValidUntil?.toISOString() ?? null,
  };
}

function logEntryView(entry: LiveLogEntry) {
  const outcome = entry.outcome as { changes?: Array<{ kind: string; itemId: string; action: string; result: string }> } | null;
  return {
    id: entry.id,
    deliveryId: entry.deliveryId,
    event: entry.event,
    status: entry.status as 'pending' | 'applied' | 'failed' | 'dropped' | 'refused' | 'duplicate',
    reason: entry.reason,
    changes: outcome?.changes ?? [],
    receivedAt: entry.receivedAt.toISOString(),
    appliedAt: entry.appliedAt?.toISOString() ?? null,
  };
}
