import { parse, serialize, type SerializeOptions } from 'cookie';
import type { Request, Response } from 'express';

/** The header carrying the CSRF token (the value of the CSRF cookie) on state-changing requests. */
export const CSRF_HEADER = 'x-csrf-token';

// Over https the cookies take the __Host- prefix: Secure, host-only, Path=/ (no subdomain can set them).
const names = (secure: boolean) =>
  secure
    ? { session: '__Host-mooring_session', csrf: '__Host-mooring_csrf' }
    : { session: 'mooring_session', csrf: 'mooring_csrf' };

function cookies(request: Request): Record<string, string | undefined> {
  const header = request.header('cookie');
  return header ? parse(header) : {};
}

/** The session token of a request's cookie, if any. */
export function sessionToken(request: Request): string | undefined {
  const jar = cookies(request);
  return jar[names(true).session] ?? jar[names(false).session];
}

/**
 * The session cookie is HttpOnly (scripts cannot read it) and SameSite=Lax (sent on top-level
 * navigations, so an OAuth provider's redirect back still carries it; not on cross-site POSTs).
 * The CSRF cookie is readable by the web app, which echoes it in the x-csrf-token header; SameSite=Strict.
 */
export function setSessionCookies(
  request: Request,
  response: Response,
  session: { token: string; csrfToken: string; expiresAt: Date },
) {
  const secure = request.secure;
  const { session: sessionName, csrf } = names(secure);
  const base: SerializeOptions = { path: '/', secure, expires: session.expiresAt };
  response.append('Set-Cookie', serialize(sessionName, session.token, { ...base, httpOnly: true, sameSite: 'lax' }));
  response.append('Set-Cookie', serialize(csrf, session.csrfToken, { ...base, httpOnly: false, sameSite: 'strict' }));
}

export function clearSessionCookies(request: Request, response: Response) {
  const secure = request.secure;
  const { session, csrf } = names(secure);
  const gone: SerializeOptions = { path: '/', secure, expires: new Date(0) };
  response.append('Set-Cookie', serialize(session, '', { ...gone, httpOnly: true, sameSite: 'lax' }));
  response.append('Set-Cookie', serialize(csrf, '', { ...gone, sameSite: 'strict' }));
}

/** A cookie only for OAuth callbacks: HttpOnly, SameSite=Lax (the provider's redirect is a top-level GET). */
export function setCallbackCookie(
  request: Request,
  response: Response,
  name: string,
  value: string,
  maxAgeSeconds: number,
  path = '/v1/oauth',
) {
  response.append(
    'Set-Cookie',
    serialize(name, value, { path, httpOnly: true, sameSite: 'lax', secure: request.secure, maxAge: maxAgeSeconds }),
  );
}

export function readCookie(request: Request, name: string): string | undefined {
  return cookies(request)[name];
}

export function clearCallbackCookie(request: Request, response: Response, name: string, path = '/v1/oauth') {
  response.append(
    'Set-Cookie',
    serialize(name, '', { path, httpOnly: true, sameSite: 'lax', secure: request.secure, expires: new Date(0) }),
  );
}
