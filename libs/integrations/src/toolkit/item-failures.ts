import { isDomainError } from '@mooring/platform';
import type { IntegrationConnection } from '../integration-definition.js';

/**
 * Whether an error concerns one item only (its listing answered a 4xx such as 403 or 422, or was too
 * large), so the kind can go on without it. Refused credentials, rate limits, timeouts, server
 * errors and aborts concern every item: they still fail the kind (and the worker may retry the run).
 */
export function isItemFailure(error: unknown): boolean {
  if (isDomainError(error, 'UPSTREAM_RESPONSE_TOO_LARGE')) return true;
  if (!isDomainError(error, 'UPSTREAM_FAILED')) return false;
  const status = error.details['status'];
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * Wraps the expansion of one item (e.g. a repository into its pull requests) so that a failure of
 * that item alone is reported to the connection (`itemFailed`: counted as a fetch failure of the
 * resource, which keeps the run from deleting anything) and skipped: the kind goes on with the
 * next item. Pages the item yielded before failing stay yielded.
 */
export function skippingItemFailures<T, R>(
  connection: IntegrationConnection,
  describe: (item: T) => string,
  expand: (item: T) => AsyncIterable<R>,
): (item: T) => AsyncIterable<R> {
  return async function* (item: T) {
    try {
      yield* expand(item);
    } catch (error) {
      if (connection.signal.aborted || !isItemFailure(error) || !connection.itemFailed) throw error;
      connection.itemFailed({ item: describe(item), reason: `${(error as Error).message}` });
    }
  };
}
