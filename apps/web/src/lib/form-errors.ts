import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { ApiError } from '../api/client';

/**
 * Puts an api error's field issues beside the fields they name (`settings.token`, `name`, …).
 * Refused credentials name no field; they go to `credentialFields` (the form's secrets), because
 * that is what the person must change. Returns whether any field got an error.
 */
export function applyFieldErrors<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  knownFields: readonly string[],
  credentialFields: readonly string[] = [],
): boolean {
  if (!(error instanceof ApiError)) return false;
  const known = new Set(knownFields);
  const refused = error.code === 'CREDENTIALS_INVALID' || error.code === 'CREDENTIALS_SCOPE_MISSING';
  // Said the same way whichever field the tool's refusal is pinned to; the tool's own words follow as text.
  const reason = refused
    ? `${
        error.code === 'CREDENTIALS_INVALID'
          ? 'was refused by the tool: check it (and that it has not expired or been revoked)'
          : 'lacks permissions Mooring needs: create one with the required scopes'
      }${error.message ? ` (${error.message})` : ''}.`
    : '';
  const issues = [...error.fields];
  const single = error.details['field'];
  if (typeof single === 'string') issues.push({ field: single, message: refused ? reason : error.message });
  let applied = false;
  for (const issue of issues) {
    if (!known.has(issue.field)) continue;
    setError(issue.field as Path<T>, { type: 'server', message: issue.message });
    applied = true;
  }
  if (!applied && refused) {
    for (const field of credentialFields) {
      setError(field as Path<T>, { type: 'server', message: reason });
      applied = true;
    }
  }
  return applied;
}
