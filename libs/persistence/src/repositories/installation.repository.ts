import { Injectable } from '@nestjs/common';
import { Database, type TenantTx } from '../database.js';
import type {
  AppliedTransition,
  AuthMethod,
  CredentialKind,
  InstallationChanges,
  InstallationRecord,
  InstallationState,
  NewCredential,
  NewInstallation,
  PlatformAppLink,
  ProviderAccount,
  StateTransition,
} from '../records.js';
import { DomainError } from '@mooring/platform';
import type { Schedule } from '@mooring/scheduling';
import { writeAudit } from '../audit.js';
import { Prisma } from '../generated/prisma/client.js';
import { applyTransition, auditChanges, auditCreated, credentialData } from './installation-writes.js';

const WITH_CREDENTIAL = {
  credential: { select: { kind: true, hints: true, expiresAt: true, updatedAt: true } },
} as const;

@Injectable()
export class InstallationRepository {
  constructor(private readonly db: Database) {}

  /** An installation without credentials (they can be added with `replaceCredential`). */
  async create(orgId: string, installation: NewInstallation): Promise<InstallationRecord> {
    return conflictOnDuplicate(
      this.db.inTenant(orgId, async (tx) => {
        const created = await insert(tx, orgId, installation);
        await auditCreated(tx, orgId, created);
        return created;
      }),
      installation.name,
    );
  }

  /** The installation and its encrypted credential, in one transaction: both or neither. */
  async createWithCredential(
    orgId: string,
    installation: NewInstallation,
    credential: NewCredential,
  ): Promise<InstallationRecord> {
    const created = this.db.inTenant(orgId, async (tx) => {
      const row = await insert(tx, orgId, installation);
      await tx.installationCredential.create({ data: { orgId, installationId: row.id, ...credentialData(credential) } });
      await auditCreated(tx, orgId, row);
      return findOrThrow(tx, orgId, row.id);
    });
    return conflictOnDuplicate(created, installation.name);
  }

  async find(orgId: string, id: string): Promise<InstallationRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) =>
      tx.installation.findFirst({ where: { orgId, id }, include: WITH_CREDENTIAL }),
    );
    return row && toInstallationRecord(row);
  }

  /** The organization's installation linked to this installation of Mooring's App at the tool, if any. */
  async findByPlatformApp(orgId: string, integrationId: string, externalId: string): Promise<InstallationRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) =>
      tx.installation.findFirst({
        where: { orgId, integrationId, platformApp: { is: { externalId } } },
        include: WITH_CREDENTIAL,
      }),
    );
    return row && toInstallationRecord(row);
  }

  /** The tool installation an installation authenticates as, when it uses Mooring's own App. */
  async platformApp(orgId: string, id: string): Promise<PlatformAppLink | null> {
    return (await this.platformApps(orgId, [id])).get(id) ?? null;
  }

  /** `platformApp` for several installations in one query, by installation id (those without one are absent). */
  async platformApps(orgId: string, ids: readonly string[]): Promise<Map<string, PlatformAppLink>> {
    if (!ids.length) return new Map();
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.platformAppInstallation.findMany({
        where: { orgId, installationId: { in: [...ids] } },
        select: { installationId: true, externalId: true, account: true },
      }),
    );
    return new Map(
      rows.map((row) => [
        row.installationId,
        { externalId: row.externalId, account: row.account as unknown as PlatformAppLink['account'] },
      ]),
    );
  }

  async findByName(orgId: string, name: string): Promise<InstallationRecord | null> {
    const row = await this.db.inTenant(orgId, (tx) =>
      tx.installation.findFirst({ where: { orgId, name }, include: WITH_CREDENTIAL }),
    );
    return row && toInstallationRecord(row);
  }

  async list(orgId: string): Promise<InstallationRecord[]> {
    const rows = await this.db.inTenant(orgId, (tx) =>
      tx.installation.findMany({ where: { orgId }, orderBy: { createdAt: 'asc' }, include: WITH_CREDENTIAL }),
    );
    return rows.map(toInstallationRecord);
  }

  /** Applies the changes and records each kind of change in the audit trail, in one transaction. */
  async update(orgId: string, id: string, changes: InstallationChanges): Promise<InstallationRecord | null> {
    const updated = this.db.inTenant(orgId, async (tx) => {
      const before = await tx.installation.findFirst({ where: { orgId, id } });
      if (!before) return null;
      await tx.installation.updateMany({ where: { orgId, id }, data: changeData(changes) });
      await auditChanges(tx, orgId, before, changes);
      return findOrThrow(tx, orgId, id);
    });
    return conflictOnDuplicate(updated, changes.name);
  }

  async updateMapping(orgId: string, id: string, mapping: unknown): Promise<InstallationRecord | null> {
    return this.update(orgId, id, { mapping });
  }

  /**
   * New credentials (a rotation, or a reconnect through OAuth), optionally with the settings they
   * were verified against, and the state transition new credentials make (the lifecycle's), in one
   * transaction.
   */
  async replaceCredential(
    orgId: string,
    id: string,
    credential: NewCredential,
    changes: InstallationChanges,
    transition: StateTransition,
  ): Promise<{ installation: InstallationRecord; transition: AppliedTransition | null } | null> {
    const replaced = this.db.inTenant(orgId, async (tx) => {
      const before = await tx.installation.findFirst({ where: { orgId, id } });
      if (!before) return null;
      await tx.installation.updateMany({ where: { orgId, id }, data: changeData(changes) });
      const applied = await applyTransition(tx, orgId, id, transition);
      const data = credentialData(credential);
      await tx.installationCredential.upsert({
        where: { orgId_installationId: { orgId, installationId: id } },
        create: { orgId, installationId: id, ...data },
        update: { ...data, version: { increment: 1 } },
      });
      await auditChanges(tx, orgId, before, changes);
      if (changes.providerAccount !== undefined) {
        await writeAudit(tx, orgId, {
          action: 'installation.account_changed',
          targetType: 'installation',
          targetId: id,
          details: { name: before.name, from: before.providerAccount, to: changes.providerAccount },
        });
      }
      await writeAudit(tx, orgId, {
        action: 'installation.credentials_rotated',
        targetType: 'installation',
        targetId: id,
        details: { name: before.name, credentialKind: credential.kind, previousState: before.state },
      });
      return { installation: await findOrThrow(tx, orgId, id), transition: applied };
    });
    return conflictOnDuplicate(replaced, changes.name);
  }

  /** Applies a state transition of the lifecycle's (libs/installations), with its audit entry. */
  async transition(orgId: string, id: string, transition: StateTransition): Promise<AppliedTransition | null> {
    return this.db.inTenant(orgId, (tx) => applyTransition(tx, orgId, id, transition));
  }

  /**
   * Deletes the installation; its credentials and run history go with it (foreign key cascade).
   * `entitiesDeleted` (null when its entities were kept) goes into the audit trail.
   */
  async delete(orgId: string, id: string, audit: { entitiesDeleted?: number | null } = {}): Promise<boolean> {
    return this.db.inTenant(orgId, async (tx) => {
      const before = await tx.installation.findFirst({ where: { orgId, id } });
      if (!before) return false;
      await tx.installation.deleteMany({ where: { orgId, id } });
      await writeAudit(tx, orgId, {
        action: 'installation.deleted',
        targetType: 'installation',
        targetId: id,
        details: { name: before.name, integrationId: before.integrationId, entitiesDeleted: audit.entitiesDeleted ?? null },
      });
      return true;
    });
  }
}

function changeData(changes: InstallationChanges) {
  return {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.mapping !== undefined ? { mapping: changes.mapping as Prisma.InputJsonValue } : {}),
    ...(changes.settings !== undefined ? { settings: changes.settings } : {}),
    ...(changes.schedule !== undefined ? { schedule: changes.schedule } : {}),
    ...(changes.maxFetchDrop !== undefined ? { maxFetchDrop: changes.maxFetchDrop } : {}),
    ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
    ...(changes.providerAccount !== undefined
      ? { providerAccount: changes.providerAccount ? { ...changes.providerAccount } : Prisma.DbNull }
      : {}),
  };
}

/** Names are unique per organization; a concurrent duplicate becomes a CONFLICT, not a 500. */
async function conflictOnDuplicate<T>(write: Promise<T>, name: string | undefined): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new DomainError('CONFLICT', `An installation named "${name}" already exists`, { field: 'name' });
    }
    throw error;
  }
}

async function insert(tx: TenantTx, orgId: string, installation: NewInstallation): Promise<InstallationRecord> {
  const row = await tx.installation.create({
    data: {
      ...(installation.id ? { id: installation.id } : {}),
      orgId,
      integrationId: installation.integrationId,
      name: installation.name,
      authMethod: installation.authMethod ?? 'custom_settings',
      mapping: installation.mapping as Prisma.InputJsonValue,
      settings: installation.settings,
      ...(installation.schedule ? { schedule: installation.schedule } : {}),
      ...(installation.maxFetchDrop !== undefined ? { maxFetchDrop: installation.maxFetchDrop } : {}),
      createdBy: installation.createdBy ?? null,
      ...(installation.providerAccount ? { providerAccount: { ...installation.providerAccount } } : {}),
    },
    include: WITH_CREDENTIAL,
  });
  if (installation.platformApp) {
    const { externalId, account } = installation.platformApp;
    // The unique (integration, external id) spans organizations: RLS hides the other row, not the conflict.
    try {
      await tx.platformAppInstallation.create({
        data: { orgId, installationId: row.id, integrationId: installation.integrationId, externalId, account: { ...account } },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new DomainError(
          'APP_INSTALLATION_TAKEN',
          'This installation of the App is connected to another Mooring organization',
          {
            externalId,
          },
        );
      }
      throw error;
    }
  }
  return toInstallationRecord(row);
}

async function findOrThrow(tx: TenantTx, orgId: string, id: string): Promise<InstallationRecord> {
  return toInstallationRecord(await tx.installation.findFirstOrThrow({ where: { orgId, id }, include: WITH_CREDENTIAL }));
}

function toInstallationRecord(row: {
  id: string;
  orgId: string;
  integrationId: string;
  name: string;
  authMethod: AuthMethod;
  mapping: unknown;
  settings: unknown;
  schedule: unknown;
  maxFetchDrop: number;
  enabled: boolean;
  state: InstallationState;
  stateReason: string | null;
  stateChangedAt: Date;
  createdBy: string | null;
  providerAccount: unknown;
  createdAt: Date;
  updatedAt: Date;
  credential: { kind: CredentialKind; hints: unknown; expiresAt: Date | null; updatedAt: Date } | null;
}): InstallationRecord {
  return {
    id: row.id,
    orgId: row.orgId,
    integrationId: row.integrationId,
    name: row.name,
    authMethod: row.authMethod,
    mapping: row.mapping,
    settings: row.settings as Record<string, string>,
    schedule: row.schedule as Schedule,
    maxFetchDrop: row.maxFetchDrop,
    enabled: row.enabled,
    state: row.state,
    stateReason: row.stateReason,
    stateChangedAt: row.stateChangedAt,
    createdBy: row.createdBy,
    providerAccount: (row.providerAccount as ProviderAccount | null) ?? null,
    credential: row.credential && {
      kind: row.credential.kind,
      hints: row.credential.hints as Record<string, string>,
      expiresAt: row.credential.expiresAt,
      updatedAt: row.credential.updatedAt,
    },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
