import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  InvitationRepository,
  OrganizationRepository,
  UserRepository,
  UserSessionRepository,
  type InvitationRecord,
  type OrganizationRecord,
  type UserRecord,
} from '@mooring/persistence';
import { AttemptLimiter, type AttemptCounter } from '@mooring/queue';
import { DomainError, registerSecret, type Role, type TenantContext } from '@mooring/platform';
import { DEFAULT_PEOPLE_OPTIONS, IDENTITY_OPTIONS, type IdentityOptions, type PeopleOptions } from './identity.options.js';
import { PasswordHasher } from './password-hasher.js';

/** Where a sign-in comes from: throttling counts per address, sessions remember it. */
export interface ClientInfo {
  readonly address: string;
  readonly userAgent: string | null;
}

/** A new session: its token and CSRF token go to the browser once, as cookies; only hashes are kept. */
export interface OpenedSession {
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: Date;
  readonly user: UserRecord;
  readonly organization: OrganizationRecord;
}

/** A request's session, resolved from its cookie. */
export interface SessionContext {
  readonly tenant: TenantContext;
  readonly sessionId: string;
  readonly csrfHash: string;
}

// A session's last-seen time is written at most this often, not on every request.
const TOUCH_EVERY_MS = 60_000;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

/**
 * People: sign-in with email and password (scrypt), sessions revocable server-side, sign-in
 * throttling per account and per address, and invitations by single-use links that expire.
 */
@Injectable()
export class PeopleService {
  private readonly options: PeopleOptions;
  private readonly hasher: PasswordHasher;
  private readonly failuresPerAccount: AttemptCounter;
  private readonly failuresPerAddress: AttemptCounter;
  /** Verified against when the email is unknown, so a wrong email costs as long as a wrong password. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    @Inject(IDENTITY_OPTIONS) identityOptions: IdentityOptions,
    private readonly users: UserRepository,
    private readonly sessions: UserSessionRepository,
    private readonly invitations: InvitationRepository,
    private readonly organizations: OrganizationRepository,
    limiter: AttemptLimiter,
  ) {
    this.options = identityOptions.people ?? DEFAULT_PEOPLE_OPTIONS;
    this.hasher = new PasswordHasher({ logN: this.options.passwordHashLogN, r: 8, p: 3 });
    const windowSeconds = this.options.signInWindowSeconds;
    this.failuresPerAccount = limiter.counter({
      name: 'sign-in-account',
      maxAttempts: this.options.signInMaxFailuresPerAccount,
      windowSeconds,
    });
    this.failuresPerAddress = limiter.counter({
      name: 'sign-in-address',
      maxAttempts: this.options.signInMaxFailuresPerAddress,
      windowSeconds,
    });
  }

  get sessionMaxAgeSeconds(): number {
    return this.options.sessionMaxAgeSeconds;
  }

  /** Creates a person directly (the demo user, an organization's first admin). */
  async createUser(orgId: string, input: { email: string; name: string; role: Role; password: string }): Promise<UserRecord> {
    registerSecret(input.password, { runtime: true });
    return this.users.create(orgId, {
      email: input.email,
      name: input.name,
      role: input.role,
      passwordHash: await this.hasher.hash(input.password),
    });
  }

  /**
   * Every attempt counts against the account and the address before the password is checked
   * (atomically in Redis, so parallel guesses cannot exceed the limit, and a blocked attempt costs
   * no hashing); a success takes its attempt back. Unknown email and wrong password fail alike.
   */
  async signIn(email: string, password: string, client: ClientInfo): Promise<OpenedSession> {
    registerSecret(password, { runtime: true });
    const accountKey = sha256(email);
    const [accountWaitMs, addressWaitMs] = await Promise.all([
      this.failuresPerAccount.attempt(accountKey),
      this.failuresPerAddress.attempt(client.address),
    ]);
    const waitMs = Math.max(accountWaitMs, addressWaitMs);
    if (waitMs > 0) throw rateLimited(waitMs);

    const candidate = await this.users.findForSignIn(email);
    const valid = candidate
      ? await this.hasher.verify(password, candidate.passwordHash)
      : await this.hasher.verify(password, await this.dummy()).then(() => false);
    if (!candidate || !valid) throw new DomainError('SIGN_IN_FAILED', 'The email or password is wrong');
    await Promise.all([this.failuresPerAccount.reset(accountKey), this.failuresPerAddress.refund(client.address)]);
    await this.users.touchSignIn(candidate.orgId, candidate.id);
    return this.open(candidate.orgId, candidate.id, client);
  }

  /** Resolves a session cookie; INVALID_TOKEN when it is unknown, revoked, idle too long or too old. */
  async authenticate(token: string): Promise<SessionContext> {
    const session = await this.sessions.findActive(sha256(token));
    const now = Date.now();
    if (!session) throw new DomainError('INVALID_TOKEN', 'The session has ended: sign in again', { reason: 'signed_out' });
    if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + this.options.sessionIdleSeconds * 1000 <= now) {
      throw new DomainError('INVALID_TOKEN', 'The session expired: sign in again', { reason: 'expired' });
    }
    if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await this.sessions.touch(session.orgId, session.id);
    const { user } = session;
    return {
      tenant: { orgId: session.orgId, principal: { kind: 'user', id: user.id, role: user.role, name: user.email } },
      sessionId: session.id,
      csrfHash: session.csrfHash,
    };
  }

  /** Whether a request's CSRF token is its session's (constant time). */
  csrfMatches(session: SessionContext, token: string | undefined): boolean {
    if (!token) return false;
    const expected = Buffer.from(session.csrfHash, 'hex');
    const actual = Buffer.from(sha256(token), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  async signOut(session: SessionContext): Promise<void> {
    await this.sessions.revoke(session.tenant.orgId, session.sessionId);
  }

  async signOutEverywhere(orgId: string, userId: string): Promise<number> {
    return this.sessions.revokeAll(orgId, userId);
  }

  listUsers(orgId: string): Promise<UserRecord[]> {
    return this.users.list(orgId);
  }

  async changeRole(orgId: string, userId: string, role: Role): Promise<UserRecord> {
    return found(await this.users.changeRole(orgId, userId, role), 'user', userId);
  }

  async removeUser(orgId: string, userId: string): Promise<UserRecord> {
    return found(await this.users.remove(orgId, userId), 'user', userId);
  }

  /** Invites a person; the returned token is the link's secret, shown once. */
  async invite(
    tenant: TenantContext,
    input: { email: string; role: Role },
  ): Promise<{ invitation: InvitationRecord; token: string }> {
    if (await this.users.findByEmail(tenant.orgId, input.email)) {
      throw new DomainError('CONFLICT', 'This person is already a member of the organization', {
        fields: [{ field: 'email', message: 'is already a member' }],
      });
    }
    const token = randomToken();
    registerSecret(token, { runtime: true });
    const { principal } = tenant;
    const invitation = await this.invitations.create(tenant.orgId, {
      email: input.email,
      role: input.role,
      tokenHash: sha256(token),
      invitedBy: {
        kind: principal.kind === 'user' ? 'user' : 'api_client',
        id: principal.id,
        name: principal.name ?? principal.id,
      },
      expiresAt: new Date(Date.now() + this.options.invitationTtlSeconds * 1000),
    });
    return { invitation, token };
  }

  listInvitations(orgId: string): Promise<InvitationRecord[]> {
    return this.invitations.list(orgId);
  }

  async revokeInvitation(orgId: string, id: string): Promise<InvitationRecord> {
    return found(await this.invitations.revoke(orgId, id), 'invitation', id);
  }

  /** What an invitation offers; INVITATION_INVALID (with the reason) unless it is pending. */
  async lookupInvitation(token: string) {
    const invitation = await this.invitations.findByToken(sha256(token));
    if (!invitation) throw invalidInvitation('unknown');
    if (invitation.status !== 'pending') throw invalidInvitation(invitation.status);
    return invitation;
  }

  /** Uses an invitation once: creates the person and signs them in. */
  async acceptInvitation(token: string, input: { name: string; password: string }, client: ClientInfo): Promise<OpenedSession> {
    registerSecret(input.password, { runtime: true });
    const invitation = await this.lookupInvitation(token);
    const passwordHash = await this.hasher.hash(input.password);
    const user = await this.invitations.accept(invitation.orgId, invitation.id, {
      email: invitation.email,
      name: input.name,
      role: invitation.role,
      passwordHash,
    });
    if (!user) throw invalidInvitation('used');
    return this.open(invitation.orgId, user.id, client);
  }

  private async open(orgId: string, userId: string, client: ClientInfo): Promise<OpenedSession> {
    const token = randomToken();
    const csrfToken = randomToken();
    registerSecret(token, { runtime: true });
    registerSecret(csrfToken, { runtime: true });
    const expiresAt = new Date(Date.now() + this.options.sessionMaxAgeSeconds * 1000);
    await this.sessions.create(orgId, userId, {
      tokenHash: sha256(token),
      csrfHash: sha256(csrfToken),
      expiresAt,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
      address: client.address.slice(0, 100),
    });
    const [user, organization] = await Promise.all([this.users.find(orgId, userId), this.organizations.find(orgId)]);
    if (!user || !organization) throw new DomainError('SIGN_IN_FAILED', 'The account was removed');
    return { token, csrfToken, expiresAt, user, organization };
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(randomToken());
    return this.dummyHash;
  }
}

function rateLimited(waitMs: number): DomainError {
  const retryAfterSeconds = Math.ceil(waitMs / 1000);
  return new DomainError('RATE_LIMITED', `Too many failed sign-ins: try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}

function invalidInvitation(reason: 'unknown' | 'used' | 'accepted' | 'revoked' | 'expired'): DomainError {
  const words = {
    unknown: 'This invitation link is not valid: ask an admin for a new one',
    used: 'This invitation was already used: sign in instead',
    accepted: 'This invitation was already used: sign in instead',
    revoked: 'This invitation was revoked: ask an admin for a new one',
    expired: 'This invitation expired: ask an admin for a new one',
  } as const;
  return new DomainError('INVITATION_INVALID', words[reason], { reason: reason === 'accepted' ? 'used' : reason });
}

function found<T>(value: T | null, resource: string, id: string): T {
  if (value === null)
    throw new DomainError('NOT_FOUND', `${resource === 'user' ? 'Person' : 'Invitation'} ${id} was not found`, { resource, id });
  return value;
}
