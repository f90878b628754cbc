import type { Request } from 'express';
import type { PeopleService } from '@mooring/identity';
import { isDomainError, type TenantContext } from '@mooring/platform';
import { sessionToken } from './session-cookies.js';

/** The person signed in in this browser, if any: for public routes a browser flow returns to (OAuth callback, App setup). */
export async function signedInPerson(people: PeopleService, request: Request): Promise<TenantContext | undefined> {
  const token = sessionToken(request);
  if (!token) return undefined;
  try {
    return (await people.authenticate(token)).tenant;
  } catch (error) {
    if (isDomainError(error, 'INVALID_TOKEN')) return undefined;
    throw error;
  }
}
