import { Injectable } from '@nestjs/common';
import { Database } from '../database.js';
import { bytes } from './installation-writes.js';
import { Prisma } from '../generated/prisma/client.js';
import type {
  ClaimedConnectSession,
  ConnectSessionRecord,
  NewConnectSession,
  ProviderAccount,
  StoredEnvelope,
} from '../records.js';

// Finished or expired sessions are kept a day (to tell a replayed state from an unknown one), then removed.
const KEEP_FINISHED_MS = 24 * 60 * 60_000;

@Injectable()
export class ConnectSessionRepository {
  constructor(private readonly db: Database) {}

  async create(orgId: string, session: NewConnectSession): Promise<ConnectSessionRecord> {
    return this.db.inTenant(orgId, async (tx) => {
      await tx.oAuthConnectSession.deleteMany({ where: { orgId, expiresAt: { lt: new Date(Date.now() - KEEP_FINISHED_MS) } } });
      const row = await tx.oAuthConnectSession.create({
        data: {
          id: session.id,
          orgId,
          stateHash: session.stateHash,
          principalKind: session.principalKind,
          principalId: session.principalId,
          browserHash: session.browserHash,
          integrationId: session.integrationId,
          installationId: session.installationId,
          name: session.name,
          settings: session.settings,
          returnUrl: session.returnUrl,
          redirectUri: session.redirectUri,
          formatVersion: session.envelope.formatVersion,
          keyId: session.envelope.keyId,
          encryptedDataKey: bytes(session.envelope.encryptedDataKey),
          ciphertext: bytes(session.envelope.ciphertext),
          expiresAt: session.expiresAt,
        },
      });
      return toConnectSessionRecord(row);
    });
  }

  /**
   * Marks the session of `stateHash` used, whatever happens next, and says whether it already was
   * and whether it had expired. Runs before the organization is known (a SECURITY DEFINER function),
   * in its own transaction, so two callbacks with one state cannot both claim it.
   */
  async claim(stateHash: string): Promise<ClaimedConnectSession | null> {
    const rows = await this.db.prisma.$queryRaw<Array<{ id: string; org_id: string; reused: boolean; expired: boolean }>>`
      SELECT id, org_id, reused, expired FROM mooring_system.claim_oauth_connect_session(${stateHash})`;
    const row = rows[0];
    return row ? { id: row.id, orgId: row.org_id, reused: row.reused, expired: row.expired } : null;
  }

  /**
   * Parks a reconnect that returned another provider account: its tokens (sealed in `envelope`)
   * wait for the person to confirm, until `expiresAt`.
   */
  async park(orgId: string, id: string, pending: { envelope: StoredEnvelope; account: ProviderAccount; expiresAt: Date }) {
    await this.db.inTenant(orgId, (tx) =>
      tx.oAuthConnectSession.updateMany({
        where: { orgId, id },
        data: {
          pendingAccount: { ...pending.account },
          formatVersion: pending.envelope.formatVersion,
          keyId: pending.envelope.keyId,
          encryptedDataKey: bytes(pending.envelope.encryptedDataKey),
          ciphertext: bytes(pending.envelope.ciphertext),
          expiresAt: pending.expiresAt,
        },
      }),
    );
  }

  /** Marks a parked account change confirmed, once: false when it is not pending, was confirmed, or expired. */
  async confirm(orgId: string, id: string): Promise<boolean> {
    const { count } = await this.db.inTenant(orgId, (tx) =>
      tx.oAuthConnectSession.updateMany({
        where: { orgId, id, confirmedAt: null, pendingAccount: { not: Prisma.DbNull }, expiresAt: { gt: new Date() } },
        data: { confirmedAt: new Date() },
      }),
    );
    return count === 1;
  }

  async find(orgId: string, id: string): Promise<ConnectSessionRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) => tx.oAuthConnectSession.findFirst({ where: { orgId, id } }));
    return row && toConnectSessionRecord(row);
  }
}

function toConnectSessionRecord(row: {
  id: string;
  orgId: string;
  stateHash: string;
  principalKind: string;
  principalId: string;
  browserHash: string | null;
  integrationId: string;
  installationId: string | null;
  name: string | null;
  settings: unknown;
  returnUrl: string;
  redirectUri: string;
  formatVersion: number;
  keyId: string;
  encryptedDataKey: Uint8Array;
  ciphertext: Uint8Array;
  expiresAt: Date;
  consumedAt: Date | null;
  pendingAccount: unknown;
  confirmedAt: Date | null;
  createdAt: Date;
}): ConnectSessionRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    stateHash: row.stateHash,
    principalKind: row.principalKind === 'user' ? 'user' : 'api_client',
    principalId: row.principalId,
    browserHash: row.browserHash,
    integrationId: row.integrationId,
    installationId: row.installationId,
    name: row.name,
    settings: row.settings as Record<string, string>,
    returnUrl: row.returnUrl,
    redirectUri: row.redirectUri,
    envelope: {
      formatVersion: row.formatVersion,
      keyId: row.keyId,
      encryptedDataKey: Buffer.from(row.encryptedDataKey),
      ciphertext: Buffer.from(row.ciphertext),
    },
    expiresAt: row.expiresAt,
    consumedAt: row.consumedAt,
    pendingAccount: (row.pendingAccount as ProviderAccount | null) ?? null,
    confirmedAt: row.confirmedAt,
    createdAt: row.createdAt,
  };
}
