import { api } from '@mooring/contract';
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { call } from '../../api/client';
import type { InstallationView, LiveEventsHookView } from '../../api/types';
import { RoleGate } from '../../app/session';
import { Badge } from '../../components/badges';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState, ErrorMessage, Loading, ErrorState } from '../../components/states';
import { formatCount, formatDateTime } from '../../lib/format';
import { CopyButton } from '../organization/users-page';

const COUNTERS = [
  ['received', 'Received'],
  ['refused', 'Refused'],
  ['duplicate', 'Duplicates'],
  ['applied', 'Applied'],
  ['filteredOut', 'Filtered out'],
  ['failed', 'Failed'],
  ['deleted', 'Deleted'],
] as const;

const STATUS_TONES = {
  applied: 'success',
  pending: 'info',
  duplicate: 'neutral',
  dropped: 'warning',
  refused: 'danger',
  failed: 'danger',
} as const;

/** Live events: the webhook (URL, whether it is on and why not), counts per kind, and recent deliveries. */
export function LiveEventsTab({ installation }: { installation: InstallationView }) {
  const id = installation.id;
  const live = useQuery({
    queryKey: ['installations', id, 'live-events'],
    queryFn: () => call(api.liveEvents.get, { params: { id } }),
    refetchInterval: 5_000,
  });
  const log = useQuery({
    queryKey: ['installations', id, 'live-events', 'log'],
    queryFn: () => call(api.liveEvents.log, { params: { id }, query: { limit: 20 } }),
    refetchInterval: 5_000,
  });

  if (live.isPending) return <Loading label="Loading live events…" />;
  if (live.isError) return <ErrorState error={live.error} onRetry={() => void live.refetch()} />;
  const { hook, counts } = live.data;
  if (!hook.supported) {
    return (
      <div className="card">
        <EmptyState title="No live events for this integration">It syncs on its schedule only.</EmptyState>
      </div>
    );
  }
  return (
    <div className="stack">
      <section className="card" aria-labelledby="webhook-heading" data-testid="live-events-hook">
        <div className="card-header">
          <h2 id="webhook-heading">Webhook</h2>
          <Badge tone={hook.status === 'on' ? 'success' : 'warning'}>{hook.status === 'on' ? 'on' : 'off'}</Badge>
        </div>
        {hook.deliveredThrough === 'mooring-app' ? <AppWebhook hook={hook} /> : <InstallationHook id={id} hook={hook} />}
      </section>

      <section className="card" aria-labelledby="live-counts-heading">
        <div className="card-header">
          <h2 id="live-counts-heading">Last hour (last day)</h2>
        </div>
        {counts.length ? (
          <div className="table-wrap">
            <table data-testid="live-events-counts">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  {COUNTERS.map(([key, label]) => (
                    <th scope="col" key={key}>
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {counts.map((row) => (
                  <tr key={row.kind ?? ''}>
                    <td className="mono">{row.kind ?? 'deliveries'}</td>
                    {COUNTERS.map(([key]) => (
                      <td key={key}>
                        {formatCount(row.lastHour[key])} ({formatCount(row.lastDay[key])})
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <EmptyState title="No deliveries in the last day" />
        )}
      </section>

      <section className="card" aria-labelledby="live-log-heading">
        <div className="card-header">
          <h2 id="live-log-heading">Recent deliveries</h2>
        </div>
        {log.isError ? <ErrorState error={log.error} onRetry={() => void log.refetch()} /> : null}
        {log.data?.entries.length ? (
          <div className="table-wrap">
            <table data-testid="live-events-log">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">What happened</th>
                </tr>
              </thead>
              <tbody>
                {log.data.entries.map((entry) => (
                  <tr key={entry.id}>
                    <td className="nowrap">{formatDateTime(entry.receivedAt)}</td>
                    <td className="mono">{entry.event ?? '—'}</td>
                    <td>
                      <Badge tone={STATUS_TONES[entry.status]}>{entry.status}</Badge>
                    </td>
                    <td>
                      {entry.reason ? <span>{entry.reason}</span> : null}
                      {entry.changes.map((change) => (
                        <div className="small" key={`${change.kind}:${change.itemId}`}>
                          {change.kind} <span className="mono">{change.itemId}</span>: {change.result.replaceAll('_', ' ')}
                        </div>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : log.isPending ? (
          <Loading label="Loading deliveries…" />
        ) : (
          <EmptyState title="No deliveries yet">Deliveries the tool sends appear here, refused ones with the reason.</EmptyState>
        )}
      </section>
    </div>
  );
}

/** Mooring's App has one webhook, set on the App: its installations have no URL or secret of their own. */
function AppWebhook({ hook }: { hook: LiveEventsHookView }) {
  return (
    <div className="card-body">
      <p style={{ margin: 0 }} data-testid="live-events-through-app">
        Deliveries arrive through Mooring’s GitHub App; nothing to set up here.
      </p>
      {hook.status === 'off' && hook.statusReason ? <p data-testid="live-events-reason">{hook.statusReason}</p> : null}
      <p className="muted">
        GitHub sends this installation’s events to the App’s own webhook. The repositories they come from are chosen on GitHub:
        see Settings.
      </p>
    </div>
  );
}

/** The installation's own hook: its URL, registration and secret, rotated here (shown once when the user gives it to the tool). */
function InstallationHook({ id, hook }: { id: string; hook: LiveEventsHookView }) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['installations', id, 'live-events'] });
  const [confirmingRotation, setConfirmingRotation] = useState(false);
  // The answer carries the new secret (integrations without registration): kept only in memory, shown once.
  const rotate = useMutation({
    mutationFn: () => call(api.liveEvents.rotateSecret, { params: { id } }),
    onSuccess: () => setConfirmingRotation(false),
    onSettled: refresh,
  });
  const register = useMutation({ mutationFn: () => call(api.liveEvents.register, { params: { id } }), onSettled: refresh });
  return (
    <>
      {hook.statusReason ? <p data-testid="live-events-reason">{hook.statusReason}</p> : null}
      <dl className="kv">
        <dt>Delivery URL</dt>
        <dd className="mono" data-testid="live-events-hook-url">
          {hook.hookUrl ?? 'not set up yet'}
          {hook.hookUrl && !hook.registersItself ? (
            <>
              {' '}
              <CopyButton value={hook.hookUrl} />
            </>
          ) : null}
        </dd>
        <dt>Registered</dt>
        <dd>{hook.registeredAt ? formatDateTime(hook.registeredAt) : 'no'}</dd>
        {hook.expiresAt ? (
          <>
            <dt>Registration expires</dt>
            <dd>{formatDateTime(hook.expiresAt)} (renewed automatically)</dd>
          </>
        ) : null}
        <dt>Secret rotated</dt>
        <dd>
          {formatDateTime(hook.secretRotatedAt)}
          {hook.previousSecretValidUntil
            ? ` · the previous one is accepted until ${formatDateTime(hook.previousSecretValidUntil)}`
            : ''}
        </dd>
      </dl>
      <RoleGate role="admin">
        <div className="row">
          {hook.registersItself ? (
            <button type="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
              Rotate secret
            </button>
          ) : (
            <button
              type="button"
              onClick={() => {
                rotate.reset();
                setConfirmingRotation(true);
              }}
              disabled={rotate.isPending}
            >
              Create a new secret
            </button>
          )}
          {hook.status === 'off' ? (
            <button type="button" onClick={() => register.mutate()} disabled={register.isPending}>
              Register again
            </button>
          ) : null}
        </div>
        {rotate.isError && !confirmingRotation ? <ErrorMessage error={rotate.error} /> : null}
        {rotate.data?.secret ? (
          <div className="banner warning" role="status" data-testid="live-events-secret">
            <div style={{ minWidth: 0, flex: 1 }}>
              <strong>Copy it now: you will not see it again.</strong>
              <p>
                Paste it into the tool as the webhook secret, with the delivery URL above.
                {rotate.data.previousSecretValidUntil
                  ? ` The previous secret keeps working until ${formatDateTime(rotate.data.previousSecretValidUntil)}.`
                  : ''}
              </p>
              <div className="secret-box mono">{rotate.data.secret}</div>
            </div>
            <div className="actions">
              <CopyButton value={rotate.data.secret} />
              <button type="button" onClick={() => rotate.reset()}>
                Done
              </button>
            </div>
          </div>
        ) : null}
        <ConfirmDialog
          open={confirmingRotation}
          title="Create a new webhook secret?"
          confirmLabel="Create a new secret"
          busy={rotate.isPending}
          onCancel={() => {
            setConfirmingRotation(false);
            rotate.reset();
          }}
          onConfirm={() => rotate.mutate()}
        >
          <p style={{ margin: 0 }}>
            The new secret is shown once. The current one keeps working until the overlap ends, so you have time to give the tool
            the new one; after that, deliveries signed with the old secret are refused.
          </p>
          {rotate.isError ? <ErrorMessage error={rotate.error} /> : null}
        </ConfirmDialog>
        {register.isError ? <ErrorMessage error={register.error} /> : null}
      </RoleGate>
    </>
  );
}
