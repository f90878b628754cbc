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

/** What a locked credential's holder decided: new credentials to store, and/or a state transition. */
export interface LockedCredentialOutcome<T> {
  readonly result: T;
  readonly write?: NewCredential;
  readonly transition?: StateTransition;
}

export interface LockedCredential {
  readonly credential: StoredCredential;
  readonly installationState: InstallationState;
  /** Whether this caller holds the lock alone (and may write), or waited on another holder. */
  readonly exclusive: boolean;
}

// A refresh holds the lock for one token request; waiting longer than this means something is stuck.
const LOCK_TIMEOUT = '30s';

/**
 * Installations' encrypted credentials. Reads are plain; a token refresh goes through
 * `withLockedCredential`, which holds the row lock (SELECT … FOR UPDATE) across the refresh so
 * every process and every worker serialises on it, and the refresh token is used exactly once.
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
   * Runs `fn` under the credential's row lock, then applies what it decided in the same
   * transaction. One caller gets the lock exclusively (`exclusive: true`) and may write; callers
   * arriving while it is held wait for it with a shared lock and are then let in together
   * (`exclusive: false`) to read the row as the holder left it; they must not write (a write they
   * return is refused), and retry if what they read does not serve them. Returns the result and the
   * transition applied, if any (its follow-ups are the caller's).
   */
  async withLockedCredential<T>(
    orgId: string,
    installationId: string,
    fn: (locked: LockedCredential | null) => Promise<LockedCredentialOutcome<T>>,
  ): Promise<{ result: T; transition: AppliedTransition | null }> {
    return this.db.inTenant(
      orgId,
      async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
        const claimed = await tx.$queryRaw<unknown[]>`SELECT 1 FROM installation_credentials
          WHERE org_id = ${orgId}::uuid AND installation_id = ${installationId}::uuid FOR UPDATE SKIP LOCKED`;
        const exclusive = claimed.length > 0;
        if (!exclusive) {
          // Someone holds it (or the row is missing): wait for them to finish, alongside the other waiters.
          await tx.$queryRaw`SELECT 1 FROM installation_credentials
            WHERE org_id = ${orgId}::uuid AND installation_id = ${installationId}::uuid FOR SHARE`;
        }
        const row = await tx.installationCredential.findUnique({
          where: { orgId_installationId: { orgId, installationId } },
          include: { installation: { select: { state: true } } },
        });
        const outcome = await fn(
          row && { credential: toStoredCredential(row), installationState: row.installation.state, exclusive },
        );
        if ((outcome.write || outcome.transition) && !exclusive) {
          throw new Error('only the exclusive holder of a credential lock may change it');
        }
        if (outcome.write) {
          await tx.installationCredential.update({
            where: { orgId_installationId: { orgId, installationId } },
            data: { ...credentialData(outcome.write), version: { increment: 1 } },
          });
        }
        const transition = outcome.transition ? await applyTransition(tx, orgId, installationId, outcome.transition) : null;
        return { result: outcome.result, transition };
      },
      { timeoutMs: 60_000 },
    );
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
