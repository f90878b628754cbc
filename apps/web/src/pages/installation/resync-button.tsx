import { api } from '@mooring/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call, isApiError } from '../../api/client';
import { keys } from '../../api/queries';
import type { InstallationView } from '../../api/types';
import { RoleGate } from '../../app/session';
import { ErrorMessage } from '../../components/states';

/** Resync now. A run already active (409 RUN_ACTIVE) is shown as that run, not as an error. */
export function ResyncButton({ installation }: { installation: InstallationView }) {
  const queryClient = useQueryClient();
  const resync = useMutation({
    mutationFn: () => call(api.installations.resync, { params: { id: installation.id }, body: undefined }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.installation(installation.id) }),
  });
  const activeRunId =
    isApiError(resync.error, 'RUN_ACTIVE') && typeof resync.error.details['runId'] === 'string'
      ? resync.error.details['runId']
      : null;
  return (
    <RoleGate role="moderator">
      <div className="stack" style={{ gap: 8, alignItems: 'flex-end' }}>
        <button
          type="button"
          className="primary"
          onClick={() => resync.mutate()}
          disabled={resync.isPending || !installation.enabled || installation.state !== 'active'}
        >
          {resync.isPending ? 'Queueing…' : 'Resync now'}
        </button>
        {resync.isSuccess ? (
          <span className="badge info" role="status">
            Resync queued
          </span>
        ) : null}
        {activeRunId ? (
          <div className="banner info" role="status" data-testid="run-active">
            <div>
              <strong>A sync is already running</strong>
              <p>
                <Link to={`/installations/${installation.id}/sync-status?run=${activeRunId}`}>Follow the active run</Link>; start
                another when it ends.
              </p>
            </div>
          </div>
        ) : resync.isError ? (
          <ErrorMessage error={resync.error} compact />
        ) : null}
      </div>
    </RoleGate>
  );
}
