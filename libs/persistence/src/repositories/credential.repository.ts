import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Database } from '../database.js';
import type {
  AppliedTransition,
  CredentialKind,
  InstallationState,
  NewCredential,
  StateTransition,
  StoredCredential,
} from '../records.js';
import { applyTransition, bytes, credentialData } from './installation-writes.js';

/** What a refresher decided when its lease ends: new credentials to store, and/or a state transition. */
export interface RefreshOutcome {
  readonly write?: NewCredential;
  readonly transition?: StateTransition;
}

/** Whether the lease was still the refresher's (so its outcome was stored), and the transition applied, if any. */
export interface RefreshEnd {
  readonly stored: boolean;
  readonly transition: AppliedTransition | null;
}

/** A credential as a would-be refresher finds it: with the refresh lease (`leaseId`), or held by another until `busyUntil`. */
export interface RefreshClaim {
  readonly credential: StoredCredential;
  readonly installationState: InstallationState;
  readonly leaseId: string | null;
  readonly busyUntil: Date | null;
}

/**
 * Installations' encrypted credentials. Reads are plain; a token refresh takes the credential's
 * refresh lease (who, until when) in one short statement, asks the provider with no transaction
 * open and no row locked, and stores the outcome only while the lease is still its own. So every
 * process and worker takes turns, and a refresh token is used once.
 */
@Injectable()
export class CredentialRepository {
  constructor(private readonly db: Database) {}

  async find(orgId: string, installationId: string): Promise<StoredCredential | null> {
    const row = await this.db.inTenant(orgId, (tx) =>
      tx.installationCredential.findUnique({ where: { orgId_installationId: { orgId, installationId } } }),
    );
    return row && toStoredCredential(row);
  }

  /**
   * Takes the refresh lease for `leaseMs` unless another holder's lease is running, and returns
   * the credential as stored now either way (null when there is none).
   */
  async claimRefresh(orgId: string, installationId: string, leaseMs: number): Promise<RefreshClaim | null> {
    return this.db.inTenant(orgId, async (tx) => {
      const leaseId = randomUUID();
      const claimed = await tx.$executeRaw`UPDATE installation_credentials
          SET refresh_lease_id = ${leaseId}::uuid, refresh_lease_until = now() + make_interval(secs => ${leaseMs / 1000})
        WHERE org_id = ${orgId}::uuid AND installation_id = ${installationId}::uuid
          AND (refresh_lease_until IS NULL OR refresh_lease_until <= now())`;
      const row = await tx.installationCredential.findUnique({
        where: { orgId_installationId: { orgId, installationId } },
        include: { installation: { select: { state: true } } },
      });
      if (!row) return null;
      return {
        credential: toStoredCredential(row),
        installationState: row.installation.state,
        leaseId: claimed ? leaseId : null,
        busyUntil: claimed ? null : row.refreshLeaseUntil,
      };
    });
  }

  /**
   * Ends a refresh lease, storing what its holder decided, if the lease is still its own (it was
   * not taken over after running out), with the transition's audit entry in the same transaction;
   * what follows the transition is the caller's.
   */
  async finishRefresh(orgId: string, installationId: string, leaseId: string, outcome: RefreshOutcome = {}): Promise<RefreshEnd> {
    return this.db.inTenant(orgId, async (tx) => {
      const { count } = await tx.installationCredential.updateMany({
        where: { orgId, installationId, refreshLeaseId: leaseId },
        data: {
          refreshLeaseId: null,
          refreshLeaseUntil: null,
          ...(outcome.write ? { ...credentialData(outcome.write), version: { increment: 1 } } : {}),
        },
      });
      const transition =
        count && outcome.transition ? await applyTransition(tx, orgId, installationId, outcome.transition) : null;
      return { stored: count > 0, transition };
    });
  }

  /**
   * Installations (of every organization) whose data key is wrapped under another key than
   * `currentKeyId`: the work list of a key rotation. A SECURITY DEFINER function, as the rotation
   * runs for no organization in particular.
   */
  async listWrappedUnderOtherKeys(
    currentKeyId: string,
    limit: number,
  ): Promise<Array<{ orgId: string; installationId: string }>> {
    const rows = await this.db.prisma.$queryRaw<Array<{ org_id: string; installation_id: string }>>`
      SELECT org_id, installation_id FROM mooring_system.credentials_to_rewrap(${currentKeyId}, ${limit}::int)`;
    return rows.map((row) => ({ orgId: row.org_id, installationId: row.installation_id }));
  }

  /** Replaces the wrapped data key if nobody wrote the credential since `version` (compare-and-swap). */
  async rewrap(
    orgId: string,
    installationId: string,
    version: number,
    wrapped: { keyId: string; encryptedDataKey: Buffer },
  ): Promise<boolean> {
    const { count } = await this.db.inTenant(orgId, (tx) =>
      tx.installationCredential.updateMany({
        where: { orgId, installationId, version },
        data: { keyId: wrapped.keyId, encryptedDataKey: bytes(wrapped.encryptedDataKey), version: { increment: 1 } },
      }),
    );
    return count > 0;
  }
}

function toStoredCredential(row: {
  installationId: string;
  kind: CredentialKind;
  formatVersion: number;
  keyId: string;
  encryptedDataKey: Uint8Array;
  ciphertext: Uint8Array;
  hints: unknown;
  expiresAt: Date | null;
  version: number;
  updatedAt: Date;
}): StoredCredential {
  return {
    installationId: row.installationId,
    kind: row.kind,
    envelope: {
      formatVersion: row.formatVersion,
      keyId: row.keyId,
      encryptedDataKey: Buffer.from(row.encryptedDataKey),
      ciphertext: Buffer.from(row.ciphertext),
    },
    hints: row.hints as Record<string, string>,
    expiresAt: row.expiresAt,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}
