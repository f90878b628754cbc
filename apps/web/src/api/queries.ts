import { api } from '@mooring/contract';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { call } from './client';

/** Query keys in one place, so mutations invalidate exactly what they changed. */
export const keys = {
  session: ['session'] as const,
  integrations: ['integrations'] as const,
  integration: (id: string) => ['integrations', id] as const,
  installations: ['installations'] as const,
  installation: (id: string) => ['installations', id] as const,
  syncStatus: (id: string, runId: string | undefined) => ['installations', id, 'sync-status', runId ?? 'latest'] as const,
  history: (id: string) => ['installations', id, 'history'] as const,
  events: (id: string, runId: string) => ['installations', id, 'events', runId] as const,
  samples: (id: string) => ['installations', id, 'samples'] as const,
  audit: (filter: Record<string, string>) => ['audit-log', filter] as const,
  blueprints: ['blueprints'] as const,
  blueprint: (id: string) => ['blueprints', id] as const,
  entities: (blueprint: string, search: string, cursor: string | null) => ['entities', blueprint, search, cursor] as const,
  entity: (blueprint: string, identifier: string) => ['entity', blueprint, identifier] as const,
  organization: ['organization'] as const,
  users: ['users'] as const,
  invitations: ['invitations'] as const,
  apiClients: ['api-clients'] as const,
};

const optional = (cursor: string | null) => cursor ?? undefined;

export function useSessionQuery() {
  return useQuery({ queryKey: keys.session, queryFn: () => call(api.auth.me), retry: false, staleTime: 60_000 });
}

export const integrationsQuery = () =>
  queryOptions({ queryKey: keys.integrations, queryFn: () => call(api.integrations.list), staleTime: 5 * 60_000 });

export function useIntegrations() {
  return useQuery(integrationsQuery());
}

export function useIntegration(id: string) {
  return useQuery({
    queryKey: keys.integration(id),
    queryFn: () => call(api.integrations.get, { params: { id } }),
    staleTime: 5 * 60_000,
  });
}

/** The data-sources overview; polls while any run is active so states and counts stay current. */
export const installationsQuery = () =>
  queryOptions({
    queryKey: keys.installations,
    queryFn: () => call(api.installations.list),
    refetchInterval: (query) =>
      query.state.data?.installations.some((installation) => installation.sync.activeRun) ? 3_000 : 30_000,
  });

export function useInstallations() {
  return useQuery(installationsQuery());
}

export const installationQuery = (id: string) =>
  queryOptions({
    queryKey: keys.installation(id),
    queryFn: () => call(api.installations.get, { params: { id } }),
    refetchInterval: (query) => (query.state.data?.installation.sync.activeRun ? 2_000 : 30_000),
  });

export function useInstallation(id: string) {
  return useQuery(installationQuery(id));
}

/** Polls every second while the shown run is active (the live view); a past run is fetched once. */
export const syncStatusQuery = (id: string, runId: string | undefined) =>
  queryOptions({
    queryKey: keys.syncStatus(id, runId),
    queryFn: ({ signal }) => call(api.installations.syncStatus, { params: { id }, query: runId ? { runId } : {}, signal }),
    refetchInterval: (query) => {
      const status = query.state.data?.run?.status;
      if (status === 'pending' || status === 'running') return 1_000;
      return runId ? false : 10_000;
    },
  });

export function useSyncStatus(id: string, runId: string | undefined) {
  return useQuery(syncStatusQuery(id, runId));
}

export function useSyncHistory(id: string, cursor: string | null) {
  return useQuery({
    queryKey: [...keys.history(id), cursor],
    queryFn: () => call(api.installations.history, { params: { id }, query: { limit: 20, cursor: optional(cursor) } }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

export function useRunEvents(id: string, runId: string | undefined, cursor: string | null, live: boolean) {
  return useQuery({
    queryKey: [...keys.events(id, runId ?? 'none'), cursor],
    queryFn: () =>
      call(api.installations.runEvents, { params: { id, runId: runId! }, query: { limit: 100, cursor: optional(cursor) } }),
    enabled: Boolean(runId),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2_000 : false,
  });
}

export function useSamples(id: string) {
  return useQuery({ queryKey: keys.samples(id), queryFn: () => call(api.installations.samples, { params: { id } }) });
}

export function useAuditLog(filter: { targetType?: string; targetId?: string }, cursor: string | null) {
  return useQuery({
    queryKey: [...keys.audit(filter as Record<string, string>), cursor],
    queryFn: () => call(api.organization.auditLog, { query: { limit: 50, cursor: optional(cursor), ...filter } }),
    placeholderData: keepPreviousData,
  });
}

export function useBlueprints() {
  return useQuery({ queryKey: keys.blueprints, queryFn: () => call(api.blueprints.list) });
}

export function useBlueprint(blueprint: string) {
  return useQuery({ queryKey: keys.blueprint(blueprint), queryFn: () => call(api.blueprints.get, { params: { blueprint } }) });
}

export function useEntities(blueprint: string, search: string, cursor: string | null) {
  return useQuery({
    queryKey: keys.entities(blueprint, search, cursor),
    queryFn: ({ signal }) =>
      call(api.entities.list, {
        params: { blueprint },
        query: { limit: 50, cursor: optional(cursor), search: search || undefined },
        signal,
      }),
    placeholderData: keepPreviousData,
  });
}

export function useEntity(blueprint: string, identifier: string) {
  return useQuery({
    queryKey: keys.entity(blueprint, identifier),
    queryFn: () => call(api.entities.get, { params: { blueprint, identifier } }),
  });
}

export function useOrganization() {
  return useQuery({ queryKey: keys.organization, queryFn: () => call(api.organization.get) });
}

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: () => call(api.organization.listUsers) });
}

export function useInvitations() {
  return useQuery({ queryKey: keys.invitations, queryFn: () => call(api.organization.listInvitations) });
}

export function useApiClients() {
  return useQuery({ queryKey: keys.apiClients, queryFn: () => call(api.organization.listApiClients) });
}
