import { Injectable } from '@nestjs/common';
import { Database } from '../database.js';
import { bytes } from './installation-writes.js';
import type { ClaimedConnectSession, ConnectSessionRecord, NewConnectSession } from '../records.js';

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
          principalId: session.principalId,
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

  async find(orgId: string, id: string): Promise<ConnectSessionRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) => tx.oAuthConnectSession.findFirst({ where: { orgId, id } }));
    return row && toConnectSessionRecord(row);
  }
}

function toConnectSessionRecord(row: {
  id: string;
  orgId: string;
  stateHash: string;
  principalId: string;
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
  createdAt: Date;
}): ConnectSessionRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    stateHash: row.stateHash,
    principalId: row.principalId,
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
    createdAt: row.createdAt,
  };
}
