import { setTimeout as sleep } from 'node:timers/promises';
import type { CredentialRepository, RefreshClaim } from '@mooring/persistence';

// A refresher holds the lease at most this long (longer than a token request may take: the
// outbound guard ends those after 30 s); then another caller may take over.
const LEASE_MS = 90_000;
// Callers wait this long, in total, for other refreshers before giving up for now.
const MAX_WAIT_MS = 120_000;
const POLL_MS = 100;

/** What a token refresh does at each step of the lease (OAuth refreshes, minted tokens). */
export interface LeasedRefresh<C, T> {
  /** The stored credential as the claim found it; throws, releasing a lease taken, when it cannot be used. */
  open(claim: RefreshClaim | null): Promise<C>;
  /** The token while the credential needs no refresh; undefined once it is due. */
  fresh(current: C): T | undefined;
  /** Refreshes as the lease holder, and ends the lease with what it decided. */
  refresh(current: C, leaseId: string): Promise<T>;
  /** The error when other holders kept the lease longer than callers wait. */
  gaveUp(): Error;
}

/**
 * One refresh across every process: claims the credential's refresh lease in PostgreSQL and
 * refreshes as its holder, or polls until another holder's lease ends and reads what it stored.
 * No transaction is open and no row is locked while the provider answers.
 */
export async function refreshUnderLease<C, T>(
  credentials: CredentialRepository,
  orgId: string,
  installationId: string,
  steps: LeasedRefresh<C, T>,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + MAX_WAIT_MS;
  for (;;) {
    const claim = await credentials.claimRefresh(orgId, installationId, LEASE_MS);
    const current = await steps.open(claim);
    const fresh = steps.fresh(current);
    if (fresh !== undefined) {
      if (claim?.leaseId) await credentials.finishRefresh(orgId, installationId, claim.leaseId);
      return fresh;
    }
    if (claim?.leaseId) return steps.refresh(current, claim.leaseId);
    if (Date.now() >= deadline) throw steps.gaveUp();
    await sleep(POLL_MS, undefined, signal ? { signal } : {});
  }
}
