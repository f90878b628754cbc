import type { ReactNode } from 'react';
import { explainError } from '../api/error-messages';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <div className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state">
      <h2>{title}</h2>
      {children ? <div>{children}</div> : null}
      {action}
    </div>
  );
}

/** A failure in words with what to do next; the api's message as plain text, never HTML. */
export function ErrorMessage({ error, onRetry, compact }: { error: unknown; onRetry?: () => void; compact?: boolean }) {
  const explained = explainError(error);
  return (
    <div className="banner danger" role="alert" data-error-code={explained.code}>
      <div>
        <strong>{explained.title}</strong>
        {explained.message && !compact ? <p>{explained.message}</p> : null}
        <p>{explained.action}</p>
        {explained.errorId ? <p className="small">Error id: {explained.errorId}</p> : null}
      </div>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="card-body">
      <ErrorMessage error={error} {...(onRetry ? { onRetry } : {})} />
    </div>
  );
}
