import { api } from '@mooring/contract';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { call, isApiError } from '../../api/client';
import type { InstallationView } from '../../api/types';
import { ErrorMessage } from '../../components/states';

/**
 * For an installation of "Any REST API": a button per declared kind that reads the kind's first
 * page live (`POST /v1/installations/:id/kinds/:kind/try`) and shows its raw items, so the mapping
 * can be written against real data. A refusal is shown in words, with what to change in the kind.
 */
export function TryKinds({ installation }: { installation: InstallationView }) {
  const kinds = declaredKinds(installation.settings['kinds']);
  const [kind, setKind] = useState<string | null>(null);
  const trial = useMutation({
    mutationFn: (name: string) => call(api.installations.tryKind, { params: { id: installation.id, kind: name } }),
  });

  return (
    <section className="card" aria-labelledby="try-heading" data-testid="try-kinds">
      <div className="card-header">
        <h2 id="try-heading">Try a kind</h2>
        <span className="muted small">
          Reads the first page live with this data source&apos;s credentials and shows its raw items. Writes nothing.
        </span>
      </div>
      <div className="card-body stack">
        {kinds.length ? (
          <div className="row" role="group" aria-label="Kinds to try">
            {kinds.map((name) => (
              <button
                key={name}
                type="button"
                disabled={trial.isPending}
                onClick={() => {
                  setKind(name);
                  trial.mutate(name);
                }}
              >
                Try {name}
              </button>
            ))}
          </div>
        ) : (
          <p className="muted" style={{ margin: 0 }}>
            No kinds are declared: add them in Settings (the Kinds field).
          </p>
        )}
        <div aria-live="polite">
          {trial.isPending ? <p role="status">Reading the first page of {kind}…</p> : null}
          {trial.isError ? (
            <div data-testid="try-error">
              <ErrorMessage error={trial.error} />
              <p className="small">{hintFor(trial.error)}</p>
            </div>
          ) : null}
          {trial.isSuccess ? (
            <div className="stack" style={{ gap: 8 }} data-testid="try-result">
              <h3>
                First page of {trial.data.kind}: {trial.data.items.length} {trial.data.items.length === 1 ? 'item' : 'items'}
                {trial.data.truncated ? ' (the page held more)' : ''}
              </h3>
              {trial.data.items.length ? (
                <pre className="block" data-testid="try-items" tabIndex={0} aria-label={`Raw items of ${trial.data.kind}`}>
                  {JSON.stringify(trial.data.items, null, 2)}
                </pre>
              ) : (
                <p className="muted" style={{ margin: 0 }}>
                  The first page is empty: check the kind&apos;s path and query, or that the API holds items.
                </p>
              )}
            </div>
          ) : null}
        </div>
      </div>
    </section>
  );
}

/** The names in the installation's `kinds` setting (validated when saved); none when it is not a list. */
function declaredKinds(setting: string | undefined): string[] {
  try {
    const parsed: unknown = JSON.parse(setting ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((kind: unknown) =>
      typeof kind === 'object' && kind !== null && typeof (kind as { name?: unknown }).name === 'string'
        ? [(kind as { name: string }).name]
        : [],
    );
  } catch {
    return [];
  }
}

/** What to change in the kind's declaration for the usual refusals. */
function hintFor(error: unknown): string {
  if (isApiError(error, 'UPSTREAM_MALFORMED'))
    return 'The answer holds no list of objects where the kind says its items are: correct its itemsPath or itemsExpression in Settings, then try again.';
  if (isApiError(error, 'UPSTREAM_FAILED'))
    return 'The API refused the request: check the kind’s path, method, query and body in Settings, then try again.';
  if (isApiError(error, 'CREDENTIALS_INVALID'))
    return 'The API refused the secret: enter a new one in Settings (Secret), then try again.';
  if (isApiError(error, 'HOST_NOT_ALLOWED')) return 'Change the Base URL in Settings to the API’s public address.';
  return 'Nothing was changed; try again, or correct the kind in Settings.';
}
