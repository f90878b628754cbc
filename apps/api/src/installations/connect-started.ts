import type { Request, Response } from 'express';
import { CONNECT_SESSION_TTL_MS, connectCookieName, type StartedConnect } from '@mooring/installations';
import { setCallbackCookie } from '../auth/session-cookies.js';

/** The origin the console was reached at: always a valid return origin of a browser flow. */
export function consoleOrigin(request: Request): string {
  return `${request.protocol}://${request.get('host')}`;
}

/**
 * Binds a started browser flow (OAuth connect, the GitHub App install) to this browser with its
 * HttpOnly cookie, sent back only to `cookiePath`, and answers where to send the browser.
 */
export function startedConnect(request: Request, response: Response, started: StartedConnect, cookiePath: string) {
  setCallbackCookie(
    request,
    response,
    connectCookieName(started.sessionId),
    started.browserBinding,
    CONNECT_SESSION_TTL_MS / 1000,
    cookiePath,
  );
  response.setHeader('Cache-Control', 'no-store');
  return { authorizationUrl: started.authorizationUrl, expiresAt: started.expiresAt.toISOString() };
}
