import { writeAudit } from '../audit.js';
import type { TenantTx } from '../database.js';
import type { AppliedTransition, InstallationChanges, InstallationState, NewCredential, StateTransition } from '../records.js';

// Writes shared by the installation and credential repositories, always inside a tenant transaction.

/**
 * The one write of an installation's state: applied under the row's lock if the installation is
 * in one of `transition.from`, with its audit entry (`installation.state_changed`), in the caller's
 * transaction. Returns what was applied, or null when the state did not allow it.
 */
export async function applyTransition(
  tx: TenantTx,
  orgId: string,
  id: string,
  transition: StateTransition,
): Promise<AppliedTransition | null> {
  const [row] = await tx.$queryRaw<Array<{ state: InstallationState; name: string; integration_id: string }>>`
    SELECT state, name, integration_id FROM installations WHERE org_id = ${orgId}::uuid AND id = ${id}::uuid FOR UPDATE`;
  if (!row || !transition.from.includes(row.state) || row.state === transition.to) return null;
  await tx.installation.updateMany({
    where: { orgId, id },
    data: { state: transition.to, stateReason: transition.reason, stateChangedAt: new Date() },
  });
  await writeAudit(tx, orgId, {
    action: 'installation.state_changed',
    targetType: 'installation',
    targetId: id,
    details: { name: row.name, from: row.state, to: transition.to, reason: transition.reason },
  });
  return {
    orgId,
    installationId: id,
    integrationId: row.integration_id,
    from: row.state,
    to: transition.to,
    reason: transition.reason,
  };
}

/** A credential's columns. Writing new credentials ends any refresh lease: that refresh's outcome is stale. */
export function credentialData(credential: NewCredential) {
  return {
    refreshLeaseId: null,
    refreshLeaseUntil: null,
    kind: credential.kind,
    formatVersion: credential.envelope.formatVersion,
    keyId: credential.envelope.keyId,
    encryptedDataKey: bytes(credential.envelope.encryptedDataKey),
    ciphertext: bytes(credential.envelope.ciphertext),
    hints: credential.hints,
    expiresAt: credential.expiresAt,
  };
}

/** Prisma's Bytes want a Uint8Array over a plain ArrayBuffer. */
export function bytes(buffer: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buffer);
}

export async function auditCreated(
  tx: TenantTx,
  orgId: string,
  installation: { id: string; name: string; integrationId: string; authMethod: string },
): Promise<void> {
  await writeAudit(tx, orgId, {
    action: 'installation.created',
    targetType: 'installation',
    targetId: installation.id,
    details: { name: installation.name, integrationId: installation.integrationId, authMethod: installation.authMethod },
  });
}

/**
 * The audit entries of a change, written in its transaction: installation.updated for name,
 * enabled, maxFetchDrop and settings (the names of changed settings only, never values), and
 * installation.mapping_changed for a new mapping. Nothing when nothing actually changed.
 */
export async function auditChanges(
  tx: TenantTx,
  orgId: string,
  before: { id: string; name: string; enabled: boolean; settings: unknown; mapping: unknown; maxFetchDrop: number },
  changes: InstallationChanges,
): Promise<void> {
  const target = { targetType: 'installation', targetId: before.id } as const;
  const updated: Record<string, unknown> = {};
  if (changes.name !== undefined && changes.name !== before.name) updated['name'] = { from: before.name, to: changes.name };
  if (changes.enabled !== undefined && changes.enabled !== before.enabled) {
    updated['enabled'] = { from: before.enabled, to: changes.enabled };
  }
  if (changes.maxFetchDrop !== undefined && changes.maxFetchDrop !== before.maxFetchDrop) {
    updated['maxFetchDrop'] = { from: before.maxFetchDrop, to: changes.maxFetchDrop };
  }
  if (changes.settings !== undefined) {
    const previous = (before.settings ?? {}) as Record<string, unknown>;
    const keys = new Set([...Object.keys(previous), ...Object.keys(changes.settings)]);
    const changed = [...keys].filter((key) => previous[key] !== changes.settings![key]).sort();
    if (changed.length) updated['settings'] = changed;
  }
  if (Object.keys(updated).length) {
    await writeAudit(tx, orgId, { action: 'installation.updated', ...target, details: { name: before.name, changes: updated } });
  }
  if (changes.mapping !== undefined && !sameJson(changes.mapping, before.mapping)) {
    await writeAudit(tx, orgId, {
      action: 'installation.mapping_changed',
      ...target,
      details: { name: before.name, resources: resourceKinds(changes.mapping), previousResources: resourceKinds(before.mapping) },
    });
  }
}

/** The kinds a mapping's resources read, in order: what a reader of the trail recognises. */
function resourceKinds(mapping: unknown): string[] {
  const resources = (mapping as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) return [];
  return resources.map((resource) => {
    const kind = (resource as { kind?: unknown } | null)?.kind;
    return typeof kind === 'string' ? kind : '?';
  });
}

/** Equal as JSON values, whatever the key order (jsonb does not keep the order it was given). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every(
    (key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
