import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '@mooring/contract';
import { adminQuery } from '../support/admin-query.js';
import { findSecretLeaks } from '../support/secret-leaks.js';
import { TestApi, type TestOrganization } from '../support/test-api.js';

// People over HTTP on real PostgreSQL and Redis: sign-in, cookies, CSRF, sign-out, throttling,
// invitations, roles, and who the audit trail names.
describe('people: sessions, CSRF, throttling, invitations and roles', () => {
  let api$: TestApi;
  let acme: TestOrganization;
  let admin: { id: string; email: string; password: string };
  let member: { id: string; email: string; password: string };

  beforeAll(async () => {
    api$ = await TestApi.start({ SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3', SIGN_IN_MAX_FAILURES_PER_ADDRESS: '5' });
    acme = await api$.createOrganization('acme');
    admin = await api$.createUser(acme.orgId, 'ada@acme.test', 'admin');
    member = await api$.createUser(acme.orgId, 'max@acme.test', 'member');
  });

  afterAll(async () => {
    await api$.close();
  });

  it('signs a person in with an HttpOnly SameSite session cookie and a CSRF cookie, and /v1/me says who it is', async () => {
    const browser = api$.browser();
    const signedIn = await browser.request('POST', '/v1/auth/sign-in', {
      body: { email: 'ADA@acme.test ', password: admin.password },
    });
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    expect(api.auth.signIn.response.parse(signedIn.body)).toMatchObject({
      user: { id: admin.id, email: 'ada@acme.test', role: 'admin' },
      organization: { id: acme.orgId, name: 'acme' },
    });
    const [sessionCookie, csrfCookie] = browser.setCookies;
    expect(sessionCookie).toMatch(/^mooring_session=[A-Za-z0-9_-]{43};/);
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; SameSite=Lax/);
    expect(sessionCookie).toMatch(/; Path=\//);
    expect(csrfCookie).toMatch(/^mooring_csrf=[A-Za-z0-9_-]{43};/);
    expect(csrfCookie).not.toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/; SameSite=Strict/);
    expect(signedIn.headers.get('cache-control')).toBe('no-store');

    const me = await browser.request('GET', '/v1/me');
    expect(me.status).toBe(200);
    expect(api.auth.me.response.parse(me.body)).toMatchObject({
      principal: { kind: 'user', id: admin.id, name: 'ada', role: 'admin' },
      user: { email: 'ada@acme.test' },
      organization: { id: acme.orgId },
    });

    // Bearer tokens still work, and /v1/me names the API client.
    const viaToken = await api$.request('GET', '/v1/me', { token: acme.token });
    expect(viaToken.body).toMatchObject({ principal: { kind: 'api_client', name: 'admin', role: 'admin' }, user: null });

    // The session lives in PostgreSQL as hashes only.
    const token = browser.cookies.get('mooring_session')!;
    const leaks = await findSecretLeaks([token, browser.csrfToken!, admin.password], {
      logs: api$.logs,
      responses: api$.responses,
      database: api$.db,
    });
    expect(leaks).toEqual([]);
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const wrong = await api$.request('POST', '/v1/auth/sign-in', { body: { email: member.email, password: 'not-the-password' } });
    const unknown = await api$.request('POST', '/v1/auth/sign-in', {
      body: { email: 'nobody@acme.test', password: 'whatever-it-is' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('SIGN_IN_FAILED');
    const malformed = await api$.request('POST', '/v1/auth/sign-in', { body: { email: 'not-an-email', password: 'x' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.fields).toEqual([{ field: 'email', message: 'must be an email address' }]);
    // Reset the account's failure count for the tests below.
    await api$.signIn(member.email, member.password);
  });

  it('requires the CSRF token on every state-changing request made with the session, not with a bearer token', async () => {
    const browser = await api$.signIn(admin.email, admin.password);
    const rename = (options: { csrf?: string | null } = {}) =>
      browser.request('PATCH', '/v1/organization', { body: { name: 'acme' }, ...options });

    const missing = await rename({ csrf: null });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('CSRF_TOKEN_INVALID');
    const forged = await rename({ csrf: 'A'.repeat(43) });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('CSRF_TOKEN_INVALID');
    // Another session's token is not this session's.
    const other = await api$.signIn(admin.email, admin.password);
    expect((await rename({ csrf: other.csrfToken! })).status).toBe(403);
    expect((await rename()).status).toBe(200);

    // Reads need no token; bearer requests need none either.
    expect((await browser.request('GET', '/v1/organization', { csrf: null })).status).toBe(200);
    const bearer = await api$.request('PATCH', '/v1/organization', { token: acme.token, body: { name: 'acme' } });
    expect(bearer.status).toBe(200);

    // A cross-site form post (login CSRF) is refused by the browser's own fetch metadata.
    const crossSite = await api$.browser({ 'sec-fetch-site': 'cross-site' }).request('POST', '/v1/auth/sign-in', {
      body: { email: admin.email, password: admin.password },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('CSRF_TOKEN_INVALID');
  });

  it('signs out (the cookie stops working at once) and signs out everywhere', async () => {
    const tab = await api$.signIn(member.email, member.password);
    const stolenCookie = tab.cookies.get('mooring_session')!;
    const out = await tab.request('POST', '/v1/auth/sign-out');
    expect(out.status).toBe(204);
    expect(tab.cookies.has('mooring_session')).toBe(false);
    const replayed = await fetch(`${api$.baseUrl}/v1/me`, { headers: { cookie: `mooring_session=${stolenCookie}` } });
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as any).error.code).toBe('INVALID_TOKEN');

    const laptop = await api$.signIn(member.email, member.password);
    const phone = await api$.signIn(member.email, member.password);
    expect((await phone.request('POST', '/v1/auth/sign-out-everywhere')).status).toBe(204);
    expect((await laptop.request('GET', '/v1/me')).status).toBe(401);
    expect((await phone.request('GET', '/v1/me')).status).toBe(401);

    // A session ends after its idle time, and at its absolute end, whatever its activity.
    const idle = await api$.signIn(member.email, member.password);
    await adminQuery(
      api$.db,
      `UPDATE user_sessions SET last_seen_at = now() - interval '13 hours' WHERE revoked_at IS NULL AND user_id = '${member.id}'`,
    );
    const expired = await idle.request('GET', '/v1/me');
    expect(expired.status).toBe(401);
    expect(expired.body.error.details).toEqual({ reason: 'expired' });
    const old = await api$.signIn(member.email, member.password);
    await adminQuery(
      api$.db,
      `UPDATE user_sessions SET expires_at = now() WHERE revoked_at IS NULL AND user_id = '${member.id}'`,
    );
    expect((await old.request('GET', '/v1/me')).status).toBe(401);

    // An API client has no session to end.
    const client = await api$.request('POST', '/v1/auth/sign-out', { token: acme.token });
    expect(client.status).toBe(403);
    expect(client.body.error.details).toEqual({ reason: 'person_required' });
  });

  it('throttles failed sign-ins per account and per address with 429 and Retry-After', async () => {
    const victim = await api$.createUser(acme.orgId, 'vic@acme.test', 'member');
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const attempt = (email: string, password: string, address: string) =>
      api$.browser(from(address)).request('POST', '/v1/auth/sign-in', { body: { email, password } });

    // Three failures against one account, from three addresses: the account is locked for the window.
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
      expect((await attempt(victim.email, 'wrong password!', address)).status).toBe(401);
    }
    const locked = await attempt(victim.email, victim.password, '10.0.0.4');
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(locked.body.error.details.retryAfterSeconds).toBe(retryAfter);

    // Five failures from one address, spread over accounts: the address is blocked, for any account.
    const spray = '10.9.9.9';
    for (const email of ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test', 'e@x.test']) {
      expect((await attempt(email, 'guess-guess-guess', spray)).status).toBe(401);
    }
    expect((await attempt(admin.email, admin.password, spray)).status).toBe(429);
    // Elsewhere, the same person signs in fine.
    expect((await attempt(admin.email, admin.password, '10.1.1.1')).status).toBe(200);

    // Guesses sent in parallel cannot slip past the limit between check and count.
    const target = await api$.createUser(acme.orgId, 'par@acme.test', 'member');
    const parallel = await Promise.all(
      Array.from({ length: 8 }, (_, i) => attempt(target.email, `guess number ${i}`, `10.2.0.${i + 1}`)),
    );
    const statuses = parallel.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });

  it('invites by a single-use link that expires; the invited person joins with the role and is signed in', async () => {
    const adminBrowser = await api$.signIn(admin.email, admin.password);
    const created = await adminBrowser.request('POST', '/v1/organization/invitations', {
      body: { email: 'Nina@Acme.test', role: 'moderator' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { invitation, inviteUrl } = api.organization.createInvitation.response.parse(created.body);
    expect(invitation).toMatchObject({ email: 'nina@acme.test', role: 'moderator', status: 'pending' });
    expect(invitation.invitedBy).toEqual({ kind: 'user', id: admin.id, name: admin.email });
    const url = new URL(inviteUrl);
    expect(url.pathname).toBe('/invitations/accept');
    const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(invitation.expiresAt) - Date.now()).toBeGreaterThan(6 * 86_400_000);

    const listed = await adminBrowser.request('GET', '/v1/organization/invitations');
    expect(JSON.stringify(listed.body)).not.toContain(token);

    const preview = await api$.request('POST', '/v1/invitations/lookup', { body: { token } });
    expect(preview.body).toEqual({
      email: 'nina@acme.test',
      role: 'moderator',
      organization: { name: 'acme' },
      expiresAt: invitation.expiresAt,
    });

    const nina = api$.browser();
    const accepted = await nina.request('POST', '/v1/invitations/accept', {
      body: { token, name: 'Nina', password: 'a long enough password' },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body.user).toMatchObject({ email: 'nina@acme.test', name: 'Nina', role: 'moderator' });
    expect((await nina.request('GET', '/v1/me')).body.principal).toMatchObject({ kind: 'user', role: 'moderator' });

    const again = await api$.request('POST', '/v1/invitations/accept', {
      body: { token, name: 'Eve', password: 'another password' },
    });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 'INVITATION_INVALID', details: { reason: 'used' } });

    const weak = await adminBrowser.request('POST', '/v1/organization/invitations', {
      body: { email: 'o@acme.test', role: 'member' },
    });
    const weakToken = new URLSearchParams(new URL(weak.body.inviteUrl).hash.slice(1)).get('token')!;
    const short = await api$.request('POST', '/v1/invitations/accept', {
      body: { token: weakToken, name: 'O', password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.details.fields).toEqual([{ field: 'password', message: 'must be at least 10 characters' }]);

    await adminQuery(api$.db, `UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email = 'o@acme.test'`);
    const expired = await api$.request('POST', '/v1/invitations/lookup', { body: { token: weakToken } });
    expect(expired.body.error).toMatchObject({ code: 'INVITATION_INVALID', details: { reason: 'expired' } });

    const revokedInvite = await adminBrowser.request('POST', '/v1/organization/invitations', {
      body: { email: 'r@acme.test', role: 'member' },
    });
    const revokedToken = new URLSearchParams(new URL(revokedInvite.body.inviteUrl).hash.slice(1)).get('token')!;
    expect(
      (await adminBrowser.request('DELETE', `/v1/organization/invitations/${revokedInvite.body.invitation.id}`)).body.invitation
        .status,
    ).toBe('revoked');
    const revoked = await api$.request('POST', '/v1/invitations/accept', {
      body: { token: revokedToken, name: 'R', password: 'long enough password' },
    });
    expect(revoked.body.error).toMatchObject({ code: 'INVITATION_INVALID', details: { reason: 'revoked' } });

    const nul = await api$.request('POST', '/v1/invitations/accept', {
      body: { token: weakToken, name: 'O\u0000', password: 'long enough password' },
    });
    expect(nul.status).toBe(400);
    expect(nul.body.error.details.fields).toEqual([{ field: 'name', message: 'must not contain the NUL character (\\u0000)' }]);
    const bell = await api$.request('POST', '/v1/invitations/accept', {
      body: { token: weakToken, name: 'O\u0007', password: 'long enough password' },
    });
    expect(bell.body.error.details.fields).toEqual([{ field: 'name', message: 'must not contain control characters' }]);

    const unknown = await api$.request('POST', '/v1/invitations/lookup', { body: { token: 'x'.repeat(43) } });
    expect(unknown.body.error).toMatchObject({ code: 'INVITATION_INVALID', details: { reason: 'unknown' } });

    const duplicate = await adminBrowser.request('POST', '/v1/organization/invitations', {
      body: { email: admin.email, role: 'member' },
    });
    expect(duplicate.status).toBe(409);

    // The token lived only in the response that created it and in the accept request.
    const creation = api$.responses.findIndex((body) => body.includes(token));
    const leaks = await findSecretLeaks([token, 'a long enough password'], {
      logs: api$.logs,
      responses: api$.responses.filter((_, index) => index !== creation),
      database: api$.db,
    });
    expect(leaks).toEqual([]);

    // Every audit entry names the person or the API client.
    const audit = await api$.request('GET', '/v1/audit-log?limit=200', { token: acme.token });
    const byAction = (action: string) => audit.body.events.filter((event: any) => event.action === action);
    expect(byAction('user.invited')[0].actor).toEqual({ kind: 'user', id: admin.id, name: admin.email });
    expect(byAction('user.joined')[0].actor).toMatchObject({ kind: 'user', name: 'nina@acme.test' });
    expect(byAction('organization.renamed').map((event: any) => event.actor)).toContainEqual({
      kind: 'user',
      id: admin.id,
      name: admin.email,
    });
  });

  it('lets an admin change roles and remove people; a member sees people but no admin action, and the api refuses them', async () => {
    const memberBrowser = await api$.signIn(member.email, member.password);
    const people = await memberBrowser.request('GET', '/v1/organization/users');
    expect(people.status).toBe(200);
    expect(people.body.users.map((user: any) => user.email)).toContain(admin.email);
    for (const [method, path, body] of [
      ['POST', '/v1/organization/invitations', { email: 'z@acme.test', role: 'admin' }],
      ['PATCH', `/v1/organization/users/${member.id}`, { role: 'admin' }],
      ['DELETE', `/v1/organization/users/${admin.id}`, undefined],
      ['GET', '/v1/organization/api-clients', undefined],
      ['GET', '/v1/audit-log', undefined],
    ] as const) {
      const refused = await memberBrowser.request(method, path, body === undefined ? {} : { body });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { requiredRole: 'admin', role: 'member' } });
    }

    const adminBrowser = await api$.signIn(admin.email, admin.password);
    const promoted = await adminBrowser.request('PATCH', `/v1/organization/users/${member.id}`, { body: { role: 'moderator' } });
    expect(promoted.body.user.role).toBe('moderator');
    // The new role applies to the existing session at once.
    expect((await memberBrowser.request('GET', '/v1/me')).body.principal.role).toBe('moderator');
    const bad = await adminBrowser.request('PATCH', `/v1/organization/users/${member.id}`, { body: { role: 'owner' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].field).toBe('role');

    const audit = await api$.request('GET', `/v1/audit-log?targetType=user&targetId=${member.id}`, { token: acme.token });
    expect(audit.body.events[0]).toMatchObject({
      action: 'user.role_changed',
      actor: { kind: 'user', id: admin.id, name: admin.email },
      details: { from: 'member', to: 'moderator' },
    });

    const removed = await adminBrowser.request('DELETE', `/v1/organization/users/${member.id}`);
    expect(removed.status).toBe(200);
    expect((await memberBrowser.request('GET', '/v1/me')).status).toBe(401);
    expect((await adminBrowser.request('DELETE', `/v1/organization/users/${member.id}`)).status).toBe(404);

    // The last admin keeps the role: with the API client revoked, the one admin person cannot step down.
    await adminQuery(api$.db, `UPDATE api_clients SET revoked_at = now() WHERE org_id = '${acme.orgId}'`);
    const demote = await adminBrowser.request('PATCH', `/v1/organization/users/${admin.id}`, { body: { role: 'member' } });
    expect(demote.status).toBe(409);
    expect(demote.body.error.details).toEqual({ reason: 'last_admin' });
    await adminQuery(api$.db, `UPDATE api_clients SET revoked_at = NULL WHERE org_id = '${acme.orgId}'`);
  });

  it('keeps organizations apart: a session of one org never sees another', async () => {
    const globex = await api$.createOrganization('globex');
    const outsider = await api$.createUser(globex.orgId, 'gus@globex.test', 'admin');
    const browser = await api$.signIn(outsider.email, outsider.password);
    const users = await browser.request('GET', '/v1/organization/users');
    expect(users.body.users.map((user: any) => user.email)).toEqual(['gus@globex.test']);
    expect((await browser.request('PATCH', `/v1/organization/users/${admin.id}`, { body: { role: 'member' } })).status).toBe(404);
    expect((await browser.request('DELETE', `/v1/organization/users/${admin.id}`)).status).toBe(404);
  });
});
