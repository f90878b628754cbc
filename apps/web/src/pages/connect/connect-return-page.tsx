import { api } from '@mooring/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError, call } from '../../api/client';
import { explainError } from '../../api/error-messages';
import { keys } from '../../api/queries';
import { PageHeader } from '../../components/page-header';
import { ErrorMessage, Loading } from '../../components/states';
import { recallConnectAttempt } from './connect-attempt';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

/** Where the OAuth flow brings the browser back: the outcome in words, and what to do next. */
export function ConnectReturnPage() {
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const status = params.get('status');
  const installationId = params.get('installationId');
  const attempt = recallConnectAttempt();
  const succeeded = status === 'success' && installationId !== null && UUID.test(installationId);

  useEffect(() => {
    if (succeeded) void queryClient.invalidateQueries({ queryKey: keys.installations });
  }, [succeeded, queryClient]);

  const confirmId = params.get('connectSessionId');
  if (status === 'confirm' && confirmId !== null && UUID.test(confirmId)) return <ConfirmAccount connectSessionId={confirmId} />;

  if (status === 'pending') {
    return (
      <>
        <PageHeader title="Waiting for approval" />
        <div className="banner warning" role="status" data-testid="connect-outcome" data-status="pending">
          <div>
            <strong>An owner of the account must approve the installation</strong>
            <p>
              GitHub sent your request to the account&apos;s owners. Once one approves it, install the App again from this console
              to connect it; nothing was connected yet.
            </p>
          </div>
          <Link className="button" to="/integrations">
            Back to integrations
          </Link>
        </div>
      </>
    );
  }

  if (succeeded) {
    return (
      <>
        <PageHeader title="Connected" />
        <div className="banner success" role="status" data-testid="connect-outcome">
          <div>
            <strong>{attempt?.installationId ? 'Reconnected' : 'The tool is connected'}</strong>
            <p>Mooring verified access and queued a first sync. Entities appear in the catalog as it runs.</p>
          </div>
          <Link className="button primary" to={`/installations/${installationId}/sync-status`}>
            Watch the sync
          </Link>
        </div>
      </>
    );
  }
  // The code comes from the URL: only a well-formed one is looked up; the text is ours, never the URL's.
  const rawCode = params.get('error');
  const code = rawCode && CODE.test(rawCode) ? rawCode : 'OAUTH_EXCHANGE_FAILED';
  const explained = explainError(new ApiError(400, code, ''));
  const retry = attempt
    ? `/integrations/${encodeURIComponent(attempt.integrationId)}/connect${attempt.installationId ? `?reconnect=${attempt.installationId}` : ''}`
    : '/integrations';
  return (
    <>
      <PageHeader title="Not connected" />
      <div className="banner danger" role="alert" data-testid="connect-outcome" data-error-code={code}>
        <div>
          <strong>{explained.title}</strong>
          <p>{explained.action}</p>
        </div>
        <Link className="button" to={retry}>
          Try again
        </Link>
      </div>
    </>
  );
}

/** A reconnect that came back with another provider account: replace the credentials only if the person says so. */
function ConfirmAccount({ connectSessionId }: { connectSessionId: string }) {
  const queryClient = useQueryClient();
  const confirm = useMutation({
    mutationFn: () => call(api.oauth.confirm, { params: { id: connectSessionId } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.installations }),
  });
  const attempt = recallConnectAttempt();
  const session = useQuery({
    queryKey: ['connect-session', connectSessionId],
    queryFn: () => call(api.oauth.session, { params: { id: connectSessionId } }),
    retry: false,
  });
  if (confirm.isSuccess) {
    const { installation } = confirm.data;
    return (
      <>
        <PageHeader title="Reconnected" />
        <div className="banner success" role="status" data-testid="connect-outcome">
          <div>
            <strong>
              {installation.name} now uses {installation.oauth?.account?.name ?? 'the new account'}
            </strong>
            <p>A sync was queued with the new credentials.</p>
          </div>
          <Link className="button primary" to={`/installations/${installation.id}/sync-status`}>
            Watch the sync
          </Link>
        </div>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Use a different account?" />
      <div className="stack" style={{ maxWidth: 720 }}>
        <div className="banner warning" role="status" data-testid="connect-outcome" data-error-code="OAUTH_ACCOUNT_CHANGED">
          <div>
            <strong>The provider answered with a different account than this data source used</strong>
            {session.isPending ? (
              <Loading label="Loading the accounts…" />
            ) : session.isError ? (
              <ErrorMessage error={session.error} compact />
            ) : (
              <dl className="kv" style={{ margin: '8px 0' }} data-testid="accounts">
                <dt>Data source</dt>
                <dd>{session.data.connectSession.installation?.name ?? '—'}</dd>
                <dt>Connected until now</dt>
                <dd>{session.data.connectSession.installation?.account?.name ?? 'unknown account'}</dd>
                <dt>Answered now</dt>
                <dd>{session.data.connectSession.proposedAccount?.name ?? 'unknown account'}</dd>
              </dl>
            )}
            <p>
              Replacing it changes what Mooring can see: entities the new account cannot reach will be deleted at the next sync.
              Keep the old account by connecting again with it instead.
            </p>
          </div>
        </div>
        {confirm.isError ? <ErrorMessage error={confirm.error} /> : null}
        <div className="row">
          <button type="button" className="primary" onClick={() => confirm.mutate()} disabled={confirm.isPending}>
            Use the new account
          </button>
          <Link
            className="button"
            to={attempt?.installationId ? `/installations/${attempt.installationId}/settings` : '/data-sources'}
          >
            Cancel
          </Link>
        </div>
      </div>
    </>
  );
}
