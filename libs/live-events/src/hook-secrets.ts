import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Vault } from '@mooring/crypto';
import type { StoredEnvelope } from '@mooring/persistence';
import { registerSecret } from '@mooring/platform';

/** What an installation's hook keeps sealed: its signing secrets, and one the tool may have given. */
export interface HookSecretSet {
  /** The secret Mooring generated and gave the tool (the current one). */
  readonly current: string;
  /** The one before the last rotation, valid until the hook's `previousUntil`. */
  readonly previous?: string;
  /** A secret the tool generated at registration (PagerDuty); then deliveries are signed with it. */
  readonly registrationSecret?: string;
  /**
   * The client secret of the organization's own OAuth application an installation connected with,
   * for tools that sign deliveries with it (Jira's dynamic webhooks); absent, the platform's signs.
   */
  readonly oauthClientSecret?: string;
}

/** 32 random bytes, URL-safe: a signing secret, or (with a prefix) a hook id no one can guess. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newHookId(): string {
  return `h_${randomToken()}`;
}

export const HOOK_ID_PATTERN = /^h_[A-Za-z0-9_-]{43}$/;

/**
 * Seals and opens hooks' secrets with the vault, bound to the organization and installation like
 * credentials (with a purpose, so a credential envelope cannot stand in for a hook's). The edge
 * keeps opened secrets briefly, keyed by the hook and its last rotation, so verifying a delivery
 * costs no KMS call and a rotation takes effect at once.
 */
@Injectable()
export class HookSecrets {
  private readonly opened = new Map<string, { secrets: Promise<HookSecretSet>; until: number }>();

  constructor(private readonly vault: Vault) {}

  async seal(orgId: string, installationId: string, secrets: HookSecretSet): Promise<StoredEnvelope> {
    registerSecrets(secrets);
    return this.vault.seal(JSON.stringify(secrets), context(orgId, installationId));
  }

  async open(orgId: string, installationId: string, envelope: StoredEnvelope): Promise<HookSecretSet> {
    const secrets = JSON.parse(await this.vault.open(envelope, context(orgId, installationId))) as HookSecretSet;
    registerSecrets(secrets);
    return secrets;
  }

  /** The same sealed secrets with their data key wrapped under the vault's current key (key rotation). */
  async rewrap(orgId: string, installationId: string, envelope: StoredEnvelope): Promise<StoredEnvelope> {
    return this.vault.rewrap(envelope, context(orgId, installationId));
  }

  /** `open`, cached for a minute per hook and rotation. */
  async openCached(
    hook: { orgId: string; installationId: string; envelope: StoredEnvelope; secretRotatedAt: Date },
    now: number,
  ): Promise<HookSecretSet> {
    const key = `${hook.installationId}:${hook.secretRotatedAt.getTime()}`;
    const cached = this.opened.get(key);
    if (cached && cached.until > now) return cached.secrets;
    if (this.opened.size > 10_000) this.opened.clear();
    const secrets = this.open(hook.orgId, hook.installationId, hook.envelope);
    this.opened.set(key, { secrets, until: now + 60_000 });
    secrets.catch(() => this.opened.delete(key));
    return secrets;
  }
}

/** The secrets a delivery may be signed with now: the tool's own if it gave one, else ours (and the previous during a rotation). */
export function verificationSecrets(secrets: HookSecretSet, previousUntil: Date | null, now: Date): string[] {
  if (secrets.registrationSecret) return [secrets.registrationSecret];
  const valid = [secrets.current];
  if (secrets.previous && previousUntil && previousUntil > now) valid.push(secrets.previous);
  return valid;
}

function context(orgId: string, installationId: string) {
  return { orgId, installationId, purpose: 'webhook' };
}

function registerSecrets(secrets: HookSecretSet): void {
  registerSecret(secrets.current);
  if (secrets.previous) registerSecret(secrets.previous);
  if (secrets.registrationSecret) registerSecret(secrets.registrationSecret);
  if (secrets.oauthClientSecret) registerSecret(secrets.oauthClientSecret);
}
