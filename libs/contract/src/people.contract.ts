import { z } from 'zod';
import { isoDateTime, nameField, role, uuid } from './common.js';

// People, their sessions and invitations, and the organization's API clients.

export const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'must be an email address' }))
  .transform((value) => value.toLowerCase());

/** Long enough to resist guessing; capped so hashing cost stays bounded. */
export const password = z.string().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters');

export const accessTokenRequest = z.strictObject({
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
});
export const accessTokenResponse = z.object({
  accessToken: z.string(),
  expiresIn: z.number().int(),
  tokenType: z.literal('Bearer'),
});

export const signInRequest = z.strictObject({ email, password: z.string().min(1).max(200) });

export const organization = z.object({
  id: uuid,
  name: z.string(),
  allowHttpHosts: z.boolean(),
  /** Set by the operator (`npm run org:limits`): sync runs dispatched or running at once. */
  maxConcurrentRuns: z.number().int(),
  createdAt: isoDateTime,
});

export const user = z.object({
  id: uuid,
  email: z.string(),
  name: z.string(),
  role,
  createdAt: isoDateTime,
  lastSignInAt: isoDateTime.nullable(),
});

/** Who is calling: a person (session cookie) or an API client (bearer token). */
export const principal = z.object({
  kind: z.enum(['user', 'api_client']),
  id: uuid,
  name: z.string(),
  role,
});

export const me = z.object({ principal, user: user.nullable(), organization });
export const signedIn = z.object({ user, organization });

export const updateOrganizationRequest = z
  .strictObject({
    name: nameField.optional(),
    /** Lets installations reach tools over plain http; https only while false (the default). */
    allowHttpHosts: z.boolean().optional(),
  })
  .refine((body) => body.name !== undefined || body.allowHttpHosts !== undefined, 'send name or allowHttpHosts');

export const apiClient = z.object({
  id: uuid,
  clientId: z.string(),
  name: z.string(),
  role,
  createdAt: isoDateTime,
  lastUsedAt: isoDateTime.nullable(),
  revokedAt: isoDateTime.nullable(),
});
export const createApiClientRequest = z.strictObject({ name: nameField, role });

export const updateUserRequest = z.strictObject({ role });

export const invitation = z.object({
  id: uuid,
  email: z.string(),
  role,
  /** pending until accepted, revoked or past `expiresAt`. */
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
  invitedBy: z.object({ kind: z.enum(['user', 'api_client']), id: uuid, name: z.string() }),
  createdAt: isoDateTime,
  expiresAt: isoDateTime,
  acceptedAt: isoDateTime.nullable(),
});
export const createInvitationRequest = z.strictObject({ email, role });
/** The link to send the invited person; its token is shown in this response only. */
export const createdInvitation = z.object({ invitation, inviteUrl: z.string() });

export const invitationToken = z.string().min(20).max(200);
export const invitationLookupRequest = z.strictObject({ token: invitationToken });
export const invitationPreview = z.object({
  email: z.string(),
  role,
  organization: z.object({ name: z.string() }),
  expiresAt: isoDateTime,
});
export const acceptInvitationRequest = z.strictObject({ token: invitationToken, name: nameField, password });
