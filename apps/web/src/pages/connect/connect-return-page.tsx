import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { explainError } from '../../api/error-messages';
import { keys } from '../../api/queries';
import { PageHeader } from '../../components/page-header';
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
