import { z } from 'zod';
import { isoDateTime, limit } from './common.js';

// Live events: the webhook edge's answer, an installation's hook, its counts and its log.

export const hookParams = z.object({ hookId: z.string().min(1).max(200) });

export const deliveryAnswer = z.object({
  status: z.enum(['accepted', 'duplicate']),
  /** The tool's delivery id, when it sends one. */
  deliveryId: z.string().nullable(),
});

/** The platform App's webhook: also `ignored` (acknowledged, nothing stored) for an App installation no installation uses. */
export const appDeliveryAnswer = z.object({
  status: z.enum(['accepted', 'duplicate', 'ignored']),
  deliveryId: z.string().nullable(),
  /** Why nothing was stored, when `ignored`. */
  reason: z.string().optional(),
});

export const appHookParams = z.object({ integrationId: z.enum(['github']) });

const counts = z.object({
  received: z.number().int(),
  refused: z.number().int(),
  duplicate: z.number().int(),
  applied: z.number().int(),
  filteredOut: z.number().int(),
  failed: z.number().int(),
  deleted: z.number().int(),
  /** Changes not applied because a newer version of the item was (or was being) applied. */
  superseded: z.number().int(),
  /** Deliveries not applied because the installation was disabled or needed new credentials. */
  dropped: z.number().int(),
});

/** Per kind; `kind` null holds what is counted per delivery (received, refused, duplicate, dropped). */
export const liveEventCounts = z.object({ kind: z.string().nullable(), lastHour: counts, lastDay: counts });

export const liveEventsHook = z.object({
  /** Whether the integration has live events at all. */
  supported: z.boolean(),
  /**
   * `installation-hook`: the tool delivers to this installation's own hook URL. `mooring-app`: an
   * installation of Mooring's own App, whose deliveries arrive at the App's one webhook; it has no
   * URL or secret of its own (`hookUrl` null, and rotating or registering is refused, HOOK_MANAGED_BY_APP).
   */
  deliveredThrough: z.enum(['installation-hook', 'mooring-app']),
  /** Mooring registers the webhook with the tool (false: give the tool the hook URL and secret yourself). */
  registersItself: z.boolean(),
  /** Where the tool sends deliveries; unguessable, and not the installation id. */
  hookUrl: z.string().nullable(),
  status: z.enum(['on', 'off']),
  /** Why live events are off (e.g. the token lacks admin:org_hook), or a note. */
  statusReason: z.string().nullable(),
  registeredAt: isoDateTime.nullable(),
  expiresAt: isoDateTime.nullable(),
  secretRotatedAt: isoDateTime.nullable(),
  previousSecretValidUntil: isoDateTime.nullable(),
});

/**
 * A rotation: the hook, and for an integration that does not register its webhook the new secret,
 * shown this once (the previous one is accepted until `previousSecretValidUntil`).
 */
export const rotatedSecret = liveEventsHook.extend({
  /** Only in this answer, and only when `registersItself` is false: give it to the tool now. */
  secret: z.string().optional(),
});

export const liveEvents = z.object({ hook: liveEventsHook, counts: z.array(liveEventCounts) });

export const liveEventLogQuery = z.strictObject({
  limit: limit(200, 50),
  /** Entries older than this entry id (the `next` of the previous page). */
  before: z
    .string()
    .regex(/^\d{1,19}$/, 'must be an entry id')
    .optional(),
});

export const liveEventLogEntry = z.object({
  id: z.string(),
  deliveryId: z.string().nullable(),
  event: z.string().nullable(),
  status: z.enum(['pending', 'applied', 'failed', 'dropped', 'refused', 'duplicate']),
  /** Why it was refused, dropped or failed. */
  reason: z.string().nullable(),
  /** What applying did, per change: kind, item, action, result. */
  changes: z.array(z.object({ kind: z.string(), itemId: z.string(), action: z.string(), result: z.string() })),
  receivedAt: isoDateTime,
  appliedAt: isoDateTime.nullable(),
});

export const liveEventLog = z.object({ entries: z.array(liveEventLogEntry), next: z.string().nullable() });
