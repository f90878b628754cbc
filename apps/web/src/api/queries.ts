import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from './client';
import type {
  ApiClientView,
  AuditEventView,
  BlueprintView,
  EntityView,
  InstallationView,
  IntegrationView,
  InvitationView,
  OrganizationView,
  RunEventView,
  SamplesResponse,
  SessionView,
  SyncStatusResponse,
  SyncSummaryView,
  UserView,
} from './types';

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

const seg = encodeURIComponent;

export function useSessionQuery() {
  return useQuery({
    queryKey: keys.session,
    queryFn: () => api.get<SessionView>('/v1/auth/session'),
    retry: false,
    staleTime: 60_000,
  });
}

export function useIntegrations() {
  return useQuery({
    queryKey: keys.integrations,
    queryFn: () => api.get<{ integrations: IntegrationView[] }>('/v1/integrations'),
    staleTime: 5 * 60_000,
  });
}

export function useIntegration(id: string) {
  return useQuery({
    queryKey: keys.integration(id),
    queryFn: () => api.get<{ integration: IntegrationView }>(`/v1/integrations/${seg(id)}`),
    staleTime: 5 * 60_000,
  });
}

/** The data-sources overview; polls while any run is active so states and counts stay current. */
export function useInstallations() {
  return useQuery({
    queryKey: keys.installations,
    queryFn: () => api.get<{ installations: InstallationView[] }>('/v1/installations'),
    refetchInterval: (query) =>
      query.state.data?.installations.some((installation) => installation.sync?.activeRun) ? 3_000 : 30_000,
  });
}

export function useInstallation(id: string) {
  return useQuery({
    queryKey: keys.installation(id),
    queryFn: () => api.get<{ installation: InstallationView }>(`/v1/installations/${seg(id)}`),
    refetchInterval: (query) => (query.state.data?.installation.sync?.activeRun ? 2_000 : 30_000),
  });
}

/** Polls every second while the shown run is active (the live view), not at all for a past run. */
export function useSyncStatus(id: string, runId: string | undefined) {
  return useQuery({
    queryKey: keys.syncStatus(id, runId),
    queryFn: ({ signal }) =>
      api.get<SyncStatusResponse>(`/v1/installations/${seg(id)}/sync-status`, runId ? { runId } : undefined, signal),
    refetchInterval: (query) => {
      const status = query.state.data?.run?.status;
      if (status === 'pending' || status === 'running') return 1_000;
      return runId ? false : 10_000;
    },
  });
}

export function useSyncHistory(id: string, cursor: string | null) {
  return useQuery({
    queryKey: [...keys.history(id), cursor],
    queryFn: () =>
      api.get<{ syncs: SyncSummaryView[]; next: string | null }>(`/v1/installations/${seg(id)}/syncs`, {
        limit: 20,
        cursor,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

export function useRunEvents(id: string, runId: string | undefined, cursor: string | null, live: boolean) {
  return useQuery({
    queryKey: [...keys.events(id, runId ?? 'none'), cursor],
    queryFn: () =>
      api.get<{ events: RunEventView[]; next: string | null }>(`/v1/installations/${seg(id)}/syncs/${seg(runId!)}/events`, {
        limit: 100,
        cursor,
      }),
    enabled: Boolean(runId),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2_000 : false,
  });
}

export function useSamples(id: string) {
  return useQuery({
    queryKey: keys.samples(id),
    queryFn: () => api.get<SamplesResponse>(`/v1/installations/${seg(id)}/samples`),
  });
}

export function useAuditLog(filter: Record<string, string>, cursor: string | null, enabled = true) {
  return useQuery({
    queryKey: [...keys.audit(filter), cursor],
    queryFn: () => api.get<{ events: AuditEventView[]; next: string | null }>('/v1/audit-log', { limit: 50, cursor, ...filter }),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useBlueprints() {
  return useQuery({
    queryKey: keys.blueprints,
    queryFn: () => api.get<{ blueprints: BlueprintView[] }>('/v1/blueprints'),
  });
}

export function useBlueprint(identifier: string) {
  return useQuery({
    queryKey: keys.blueprint(identifier),
    queryFn: () => api.get<{ blueprint: BlueprintView }>(`/v1/blueprints/${seg(identifier)}`),
  });
}

export function useEntities(blueprint: string, search: string, cursor: string | null) {
  return useQuery({
    queryKey: keys.entities(blueprint, search, cursor),
    queryFn: ({ signal }) =>
      api.get<{ entities: EntityView[]; next: string | null }>(
        `/v1/blueprints/${seg(blueprint)}/entities`,
        { limit: 50, cursor, search: search || undefined },
        signal,
      ),
    placeholderData: keepPreviousData,
  });
}

export function useEntity(blueprint: string, identifier: string) {
  return useQuery({
    queryKey: keys.entity(blueprint, identifier),
    queryFn: () => api.get<{ entity: EntityView }>(`/v1/blueprints/${seg(blueprint)}/entities/${seg(identifier)}`),
  });
}

export function useOrganization() {
  return useQuery({
    queryKey: keys.organization,
    queryFn: () => api.get<{ organization: OrganizationView }>('/v1/organization'),
  });
}

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: () => api.get<{ users: UserView[] }>('/v1/organization/users') });
}

export function useInvitations() {
  return useQuery({
    queryKey: keys.invitations,
    queryFn: () => api.get<{ invitations: InvitationView[] }>('/v1/organization/invitations'),
  });
}

export function useApiClients() {
  return useQuery({
    queryKey: keys.apiClients,
    queryFn: () => api.get<{ apiClients: ApiClientView[] }>('/v1/organization/api-clients'),
  });
}
