import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { Database } from '../database.js';
import { writeAuditSql, type AuditEntry } from '../audit.js';
import type { StoredEnvelope } from '../records.js';
import { storableJson } from '../storable-json.js';

/** An installation's hook as the edge finds it by its id, before the organization is known. */
export interface HookLookup {
  readonly orgId: string;
  readonly installationId: string;
  readonly integrationId: string;
  readonly envelope: StoredEnvelope;
  /** The previous secret is valid until then (a rotation in progress); null: only the current one. */
  readonly previousUntil: Date | null;
  /** Changes with every rotation: opened secrets may be cached under it. */
  readonly secretRotatedAt: Date;
}

export type HookStatus = 'on' | 'off';

export interface HookRecord {
  readonly installationId: string;
  readonly hookId: string;
  readonly envelope: StoredEnvelope;
  readonly previousUntil: Date | null;
  readonly status: HookStatus;
  readonly statusReason: string | null;
  readonly registration: unknown;
  readonly registeredAt: Date | null;
  readonly expiresAt: Date | null;
  readonly secretRotatedAt: Date;
}

export interface HookWrite {
  readonly envelope?: StoredEnvelope;
  readonly previousUntil?: Date | null;
  readonly status?: HookStatus;
  readonly statusReason?: string | null;
  readonly registration?: unknown;
  readonly registeredAt?: Date | null;
  readonly expiresAt?: Date | null;
  readonly secretRotated?: boolean;
}

export interface PendingDelivery {
  readonly id: string;
  readonly deliveryId: string | null;
  readonly event: string | null;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly receivedAt: Date;
}

export type DeliveryStatus = 'applied' | 'failed' | 'dropped';

export interface DeliveryResult {
  readonly id: string;
  readonly status: DeliveryStatus;
  readonly reason: string | null;
  readonly outcome: unknown;
}

/** Counters of one kind ('' for what is counted per delivery) in one minute. */
export interface LiveCountDelta {
  readonly kind: string;
  readonly minute: Date;
  readonly received?: number;
  readonly refused?: number;
  readonly duplicate?: number;
  readonly applied?: number;
  readonly filteredOut?: number;
  readonly failed?: number;
  readonly deleted?: number;
  readonly superseded?: number;
  readonly dropped?: number;
}

const COUNTERS = [
  'received',
  'refused',
  'duplicate',
  'applied',
  'filteredOut',
  'failed',
  'deleted',
  'superseded',
  'dropped',
] as const;
export type LiveCounter = (typeof COUNTERS)[number];
export type LiveCounts = Record<LiveCounter, number>;
const COLUMN: Record<LiveCounter, string> = {
  received: 'received',
  refused: 'refused',
  duplicate: 'duplicate',
  applied: 'applied',
  filteredOut: 'filtered_out',
  failed: 'failed',
  deleted: 'deleted',
  superseded: 'superseded',
  dropped: 'dropped',
};

export interface LiveLogEntry {
  readonly id: string;
  readonly deliveryId: string | null;
  readonly event: string | null;
  readonly status: string;
  readonly reason: string | null;
  readonly outcome: unknown;
  readonly receivedAt: Date;
  readonly appliedAt: Date | null;
}

export interface ItemVersion {
  readonly kind: string;
  readonly itemId: string;
  readonly version: string;
}

/**
 * Live events in PostgreSQL: installations' hooks (sealed secrets, registration), every delivery
 * the edge answered (accepted ones wait here until a worker applies them, so a crash loses none),
 * per-minute counts, and the last version applied per item.
 */
@Injectable()
export class LiveEventRepository {
  constructor(private readonly db: Database) {}

  async findHook(hookId: string): Promise<HookLookup | null> {
    const { rows } = await this.db.pool.query<{
      org_id: string;
      installation_id: string;
      integration_id: string;
      format_version: number;
      key_id: string;
      encrypted_data_key: Buffer;
      ciphertext: Buffer;
      previous_until: Date | null;
      secret_rotated_at: Date;
    }>('SELECT * FROM mooring_system.find_installation_hook($1)', [hookId]);
    const row = rows[0];
    return (
      (row && {
        orgId: row.org_id,
        installationId: row.installation_id,
        integrationId: row.integration_id,
        envelope: envelopeOf(row),
        previousUntil: row.previous_until,
        secretRotatedAt: row.secret_rotated_at,
      }) ??
      null
    );
  }

  /**
   * The installations (of any organization) authenticated as installation `externalId` of the App
   * `appId` on the tool's instance at `apiBase` (a normalized API base URL, compared with the one
   * each installation's host gives): where the App's one webhook routes a delivery. Ids only.
   */
  async findAppInstallations(app: {
    integrationId: string;
    apiBase: string;
    appId: string;
    externalId: string;
  }): Promise<Array<{ orgId: string; installationId: string }>> {
    const { rows } = await this.db.pool.query<{ org_id: string; installation_id: string }>(
      'SELECT * FROM mooring_system.find_app_installations($1, $2, $3, $4)',
      [app.integrationId, app.apiBase, app.appId, app.externalId],
    );
    return rows.map((row) => ({ orgId: row.org_id, installationId: row.installation_id }));
  }

  async hook(orgId: string, installationId: string): Promise<HookRecord | null> {
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<HookRow>('SELECT * FROM installation_hooks WHERE org_id = $1 AND installation_id = $2', [
        orgId,
        installationId,
      ]),
    );
    return rows[0] ? toHook(rows[0]) : null;
  }

  /** Creates the installation's hook (a new hook id) or changes it; with an audit entry when given. */
  async saveHook(
    orgId: string,
    installationId: string,
    create: { hookId: string; envelope: StoredEnvelope } | null,
    write: HookWrite,
    audit?: AuditEntry,
  ): Promise<HookRecord | null> {
    return this.db.inTenantSql(orgId, async (client) => {
      if (create) {
        await client.query(
          `INSERT INTO installation_hooks (org_id, installation_id, hook_id, format_version, key_id, encrypted_data_key, ciphertext)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (installation_id) DO NOTHING`,
          [orgId, installationId, create.hookId, ...envelopeParams(create.envelope)],
        );
      }
      const sets: string[] = [];
      const params: unknown[] = [orgId, installationId];
      const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
      if (write.envelope) {
        const [formatVersion, keyId, dataKey, ciphertext] = envelopeParams(write.envelope);
        set('format_version', formatVersion);
        set('key_id', keyId);
        set('encrypted_data_key', dataKey);
        set('ciphertext', ciphertext);
      }
      if (write.previousUntil !== undefined) set('previous_until', write.previousUntil);
      if (write.status !== undefined) set('status', write.status);
      if (write.statusReason !== undefined) set('status_reason', write.statusReason);
      if (write.registration !== undefined)
        set('registration', write.registration === null ? null : storableJson(write.registration));
      if (write.registeredAt !== undefined) set('registered_at', write.registeredAt);
      if (write.expiresAt !== undefined) set('expires_at', write.expiresAt);
      if (write.secretRotated) sets.push('secret_rotated_at = now()');
      const { rows } = sets.length
        ? await client.query<HookRow>(
            `UPDATE installation_hooks SET ${sets.join(', ')} WHERE org_id = $1 AND installation_id = $2 RETURNING *`,
            params,
          )
        : await client.query<HookRow>('SELECT * FROM installation_hooks WHERE org_id = $1 AND installation_id = $2', [
            orgId,
            installationId,
          ]);
      if (audit && rows[0]) await writeAuditSql(client, orgId, [audit]);
      return rows[0] ? toHook(rows[0]) : null;
    });
  }

  /**
   * Installations (of every organization) whose hook secrets are wrapped under another key than
   * `currentKeyId`: a key rotation's work list, from a SECURITY DEFINER function as for credentials.
   */
  async listHooksWrappedUnderOtherKeys(
    currentKeyId: string,
    limit: number,
  ): Promise<Array<{ orgId: string; installationId: string }>> {
    const { rows } = await this.db.pool.query<{ org_id: string; installation_id: string }>(
      'SELECT org_id, installation_id FROM mooring_system.hook_secrets_to_rewrap($1, $2::int)',
      [currentKeyId, limit],
    );
    return rows.map((row) => ({ orgId: row.org_id, installationId: row.installation_id }));
  }

  /**
   * Replaces the hook's wrapped data key if its secrets are still sealed under `expected`
   * (compare-and-swap: every seal draws a new data key, so a rotation meanwhile wins). Leaves
   * `secret_rotated_at` alone, as the secrets do not change.
   */
  async rewrapHookSecrets(
    orgId: string,
    installationId: string,
    expected: { keyId: string; encryptedDataKey: Buffer },
    wrapped: { keyId: string; encryptedDataKey: Buffer },
  ): Promise<boolean> {
    const { rowCount } = await this.db.inTenantSql(orgId, (client) =>
      client.query(
        `UPDATE installation_hooks SET key_id = $5, encrypted_data_key = $6
          WHERE org_id = $1 AND installation_id = $2 AND key_id = $3 AND encrypted_data_key = $4`,
        [orgId, installationId, expected.keyId, expected.encryptedDataKey, wrapped.keyId, wrapped.encryptedDataKey],
      ),
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * Stores verified deliveries of one installation to apply, in their order, in one transaction
   * (one commit: the edge's group commit), each unless an accepted one with the same delivery id
   * exists (or comes earlier in the batch): then it is logged as a duplicate and counted, and its
   * answer is null. The answers are in the deliveries' order. `beforeCommit` lets a caller order
   * its commits (the edge's pipelined group commit). A delivery's `bodyJson`, when given,
   * is stored as it is (the JSON text as received, see `storableJsonText`) instead of serialising
   * `body` again. Headers and bodies travel as one JSON array each, not as PostgreSQL arrays of
   * escaped text.
   */
  async acceptMany(
    orgId: string,
    installationId: string,
    deliveries: ReadonlyArray<{
      deliveryId: string | null;
      event: string;
      headers: Record<string, string>;
      body: unknown;
      bodyJson?: string | undefined;
    }>,
    /** Runs after the rows are inserted, before the commit; throwing rolls the batch back. */
    beforeCommit?: () => Promise<void>,
  ): Promise<Array<{ id: string } | null>> {
    return this.db.inTenantSql(orgId, async (client) => {
      const { rows } = await client.query<{ id: string; delivery_id: string | null }>(
        `INSERT INTO live_events (org_id, installation_id, delivery_id, accepted, event, status, headers, body)
         SELECT $1, $2, d.delivery_id, true, d.event, 'pending', h.value::jsonb, b.value::jsonb
           FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS d(delivery_id, event, ordinal)
           JOIN json_array_elements($5::json) WITH ORDINALITY AS h(value, ordinal) USING (ordinal)
           JOIN json_array_elements($6::json) WITH ORDINALITY AS b(value, ordinal) USING (ordinal)
          ORDER BY d.ordinal
         ON CONFLICT (installation_id, delivery_id) WHERE accepted AND delivery_id IS NOT NULL DO NOTHING
         RETURNING id::text, delivery_id`,
        [
          orgId,
          installationId,
          deliveries.map((d) => d.deliveryId),
          deliveries.map((d) => d.event),
          `[${deliveries.map((d) => storableJson(d.headers)).join(',')}]`,
          `[${deliveries.map((d) => d.bodyJson ?? storableJson(d.body)).join(',')}]`,
        ],
      );
      // A delivery id inserted is the first of the batch to carry it; rows without one always insert.
      const inserted = new Map(rows.filter((row) => row.delivery_id !== null).map((row) => [row.delivery_id, row.id]));
      const withoutId = rows.filter((row) => row.delivery_id === null).map((row) => row.id);
      const answers: Array<{ id: string } | null> = [];
      for (const delivery of deliveries) {
        const id = delivery.deliveryId === null ? withoutId.pop() : inserted.get(delivery.deliveryId);
        if (id !== undefined) {
          answers.push({ id });
          inserted.delete(delivery.deliveryId);
          continue;
        }
        answers.push(null);
        await logAndCount(client, orgId, installationId, {
          deliveryId: delivery.deliveryId,
          event: delivery.event,
          status: 'duplicate',
          reason: 'this delivery id was accepted before; not applied again',
        });
      }
      await beforeCommit?.();
      return answers;
    });
  }

  /** Logs and counts a delivery the edge refused (nothing else of it is kept). */
  async refuse(
    orgId: string,
    installationId: string,
    refusal: { deliveryId: string | null; event: string | null; reason: string },
  ): Promise<void> {
    await this.db.inTenantSql(orgId, (client) => logAndCount(client, orgId, installationId, { ...refusal, status: 'refused' }));
  }

  /** The installation's oldest pending deliveries, in the order they were accepted. */
  async pending(orgId: string, installationId: string, limit: number): Promise<PendingDelivery[]> {
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<{
        id: string;
        delivery_id: string | null;
        event: string | null;
        headers: Record<string, string>;
        body: unknown;
        received_at: Date;
      }>(
        `SELECT id::text, delivery_id, event, headers, body, received_at FROM live_events
          WHERE org_id = $1 AND installation_id = $2 AND status = 'pending' ORDER BY live_events.id LIMIT $3`,
        [orgId, installationId, limit],
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      deliveryId: row.delivery_id,
      event: row.event,
      headers: row.headers ?? {},
      body: row.body,
      receivedAt: row.received_at,
    }));
  }

  /**
   * Ends deliveries (applied, failed or dropped, with what happened), adds their counts and the
   * versions applied, in one transaction: a crash before it leaves them pending to apply again.
   */
  async finish(
    orgId: string,
    installationId: string,
    results: readonly DeliveryResult[],
    counts: readonly LiveCountDelta[],
    versions: readonly ItemVersion[],
  ): Promise<void> {
    await this.db.inTenantSql(orgId, async (client) => {
      if (results.length) {
        await client.query(
          `UPDATE live_events e SET status = t.status, reason = t.reason, outcome = t.outcome, applied_at = now(),
                  body = NULL, headers = NULL
             FROM unnest($3::bigint[], $4::text[], $5::text[], $6::jsonb[]) AS t(id, status, reason, outcome)
            WHERE e.org_id = $1 AND e.installation_id = $2 AND e.id = t.id AND e.status = 'pending'`,
          [
            orgId,
            installationId,
            results.map((r) => r.id),
            results.map((r) => r.status),
            results.map((r) => r.reason),
            results.map((r) => storableJson(r.outcome ?? null)),
          ],
        );
      }
      await addCounts(client, orgId, installationId, counts);
      if (versions.length) {
        await client.query(
          `INSERT INTO live_item_versions (org_id, installation_id, kind, item_id, version)
           SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[])
           ON CONFLICT (installation_id, kind, item_id) DO UPDATE SET version = EXCLUDED.version, applied_at = now()`,
          [orgId, installationId, versions.map((v) => v.kind), versions.map((v) => v.itemId), versions.map((v) => v.version)],
        );
      }
    });
  }

  async versions(
    orgId: string,
    installationId: string,
    keys: readonly { kind: string; itemId: string }[],
  ): Promise<ItemVersion[]> {
    if (!keys.length) return [];
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<{ kind: string; item_id: string; version: string }>(
        `SELECT v.kind, v.item_id, v.version FROM live_item_versions v
           JOIN unnest($3::text[], $4::text[]) AS k(kind, item_id) ON v.kind = k.kind AND v.item_id = k.item_id
          WHERE v.org_id = $1 AND v.installation_id = $2`,
        [orgId, installationId, keys.map((k) => k.kind), keys.map((k) => k.itemId)],
      ),
    );
    return rows.map((row) => ({ kind: row.kind, itemId: row.item_id, version: row.version }));
  }

  /**
   * Runs `drain` while holding the installation's live-events lock (a session advisory lock on a
   * connection of its own: it goes with the process if the process dies). False when another
   * process holds it; that holder looks for new deliveries after it lets go.
   */
  async whileDraining(installationId: string, drain: () => Promise<void>): Promise<boolean> {
    const client = await this.db.pool.connect();
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost ??= error;
    };
    client.on('error', onError);
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtextextended('live-events:' || $1, 0)) AS locked",
        [installationId],
      );
      if (!rows[0]?.locked) return false;
      try {
        await drain();
      } finally {
        await client
          .query("SELECT pg_advisory_unlock(hashtextextended('live-events:' || $1, 0))", [installationId])
          .catch(() => {});
      }
      return true;
    } finally {
      client.removeListener('error', onError);
      client.release(lost);
    }
  }

  async hasPending(orgId: string, installationId: string): Promise<boolean> {
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query(`SELECT 1 FROM live_events WHERE org_id = $1 AND installation_id = $2 AND status = 'pending' LIMIT 1`, [
        orgId,
        installationId,
      ]),
    );
    return rows.length > 0;
  }

  /** Installations with deliveries accepted before `receivedBefore` still waiting (a lost job, a dead worker). */
  async waiting(receivedBefore: Date): Promise<Array<{ orgId: string; installationId: string }>> {
    const { rows } = await this.db.pool.query<{ org_id: string; installation_id: string }>(
      'SELECT * FROM mooring_system.live_events_waiting($1)',
      [receivedBefore],
    );
    return rows.map((row) => ({ orgId: row.org_id, installationId: row.installation_id }));
  }

  /** Installations whose hook registration expires before `before`, soonest first. */
  async expiring(before: Date): Promise<Array<{ orgId: string; installationId: string }>> {
    const { rows } = await this.db.pool.query<{ org_id: string; installation_id: string }>(
      'SELECT * FROM mooring_system.hooks_expiring($1)',
      [before],
    );
    return rows.map((row) => ({ orgId: row.org_id, installationId: row.installation_id }));
  }

  /** The id of the installation's running sync run, if one is running. */
  async runningRun(orgId: string, installationId: string): Promise<string | null> {
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<{ id: string }>(
        `SELECT id FROM sync_runs WHERE org_id = $1 AND installation_id = $2 AND status = 'running' LIMIT 1`,
        [orgId, installationId],
      ),
    );
    return rows[0]?.id ?? null;
  }

  /** Per kind ('' for per-delivery counters): sums since each of `since` (e.g. an hour and a day ago). */
  async counts(
    orgId: string,
    installationId: string,
    since: readonly Date[],
  ): Promise<Array<{ kind: string; totals: LiveCounts[] }>> {
    const sums = COUNTERS.flatMap((counter) =>
      since.map(
        (_, i) => `coalesce(sum(${COLUMN[counter]}) FILTER (WHERE minute >= $${i + 3}), 0)::int AS ${COLUMN[counter]}_${i}`,
      ),
    );
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<Record<string, number> & { kind: string }>(
        `SELECT kind, ${sums.join(', ')} FROM live_event_counts
          WHERE org_id = $1 AND installation_id = $2 AND minute >= $3 GROUP BY kind ORDER BY kind`,
        [orgId, installationId, ...since],
      ),
    );
    return rows.map((row) => ({
      kind: row.kind,
      totals: since.map(
        (_, i) => Object.fromEntries(COUNTERS.map((c) => [c, Number(row[`${COLUMN[c]}_${i}`] ?? 0)])) as LiveCounts,
      ),
    }));
  }

  /** The newest log entries, newest first, before the entry `beforeId` when given. */
  async log(orgId: string, installationId: string, limit: number, beforeId?: string): Promise<LiveLogEntry[]> {
    const { rows } = await this.db.inTenantSql(orgId, (client) =>
      client.query<{
        id: string;
        delivery_id: string | null;
        event: string | null;
        status: string;
        reason: string | null;
        outcome: unknown;
        received_at: Date;
        applied_at: Date | null;
      }>(
        `SELECT id::text, delivery_id, event, status, reason, outcome, received_at, applied_at FROM live_events
          WHERE org_id = $1 AND installation_id = $2 AND ($3::bigint IS NULL OR live_events.id < $3) ORDER BY live_events.id DESC LIMIT $4`,
        [orgId, installationId, beforeId ?? null, limit],
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      deliveryId: row.delivery_id,
      event: row.event,
      status: row.status,
      reason: row.reason,
      outcome: row.outcome,
      receivedAt: row.received_at,
      appliedAt: row.applied_at,
    }));
  }

  /**
   * Keeps the log bounded: ended entries older than `olderThan`, and beyond an installation's
   * newest `keep`, are deleted, and counts older than `countsOlderThan`. Pending deliveries stay.
   */
  async prune(
    orgId: string,
    installationId: string,
    options: { olderThan: Date; keep: number; countsOlderThan: Date },
  ): Promise<number> {
    return this.db.inTenantSql(orgId, async (client) => {
      const { rowCount } = await client.query(
        `DELETE FROM live_events WHERE org_id = $1 AND installation_id = $2 AND status <> 'pending'
            AND (received_at < $3 OR id <= (SELECT id FROM live_events WHERE org_id = $1 AND installation_id = $2
                                            ORDER BY id DESC OFFSET $4 LIMIT 1))`,
        [orgId, installationId, options.olderThan, options.keep],
      );
      await client.query('DELETE FROM live_event_counts WHERE org_id = $1 AND installation_id = $2 AND minute < $3', [
        orgId,
        installationId,
        options.countsOlderThan,
      ]);
      return rowCount ?? 0;
    });
  }
}

async function logAndCount(
  client: pg.ClientBase,
  orgId: string,
  installationId: string,
  entry: { deliveryId: string | null; event: string | null; status: 'refused' | 'duplicate'; reason: string },
): Promise<void> {
  await client.query(
    `INSERT INTO live_events (org_id, installation_id, delivery_id, accepted, event, status, reason, applied_at)
     VALUES ($1, $2, $3, false, $4, $5, $6, now())`,
    [orgId, installationId, entry.deliveryId, entry.event, entry.status, entry.reason],
  );
  await addCounts(client, orgId, installationId, [
    { kind: '', minute: minuteOf(new Date()), [entry.status === 'refused' ? 'refused' : 'duplicate']: 1 },
  ]);
}

async function addCounts(
  client: pg.ClientBase,
  orgId: string,
  installationId: string,
  deltas: readonly LiveCountDelta[],
): Promise<void> {
  if (!deltas.length) return;
  const columns = COUNTERS.map((c) => COLUMN[c]);
  await client.query(
    `INSERT INTO live_event_counts (org_id, installation_id, kind, minute, ${columns.join(', ')})
     SELECT $1, $2, * FROM unnest($3::text[], $4::timestamptz[], ${COUNTERS.map((_, i) => `$${i + 5}::int[]`).join(', ')})
     ON CONFLICT (installation_id, kind, minute) DO UPDATE SET
       ${columns.map((c) => `${c} = live_event_counts.${c} + EXCLUDED.${c}`).join(', ')}`,
    [
      orgId,
      installationId,
      deltas.map((d) => d.kind),
      deltas.map((d) => d.minute),
      ...COUNTERS.map((counter) => deltas.map((d) => d[counter] ?? 0)),
    ],
  );
}

export function minuteOf(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000);
}

interface HookRow {
  installation_id: string;
  hook_id: string;
  format_version: number;
  key_id: string;
  encrypted_data_key: Buffer;
  ciphertext: Buffer;
  previous_until: Date | null;
  status: string;
  status_reason: string | null;
  registration: unknown;
  registered_at: Date | null;
  expires_at: Date | null;
  secret_rotated_at: Date;
}

function toHook(row: HookRow): HookRecord {
  return {
    installationId: row.installation_id,
    hookId: row.hook_id,
    envelope: envelopeOf(row),
    previousUntil: row.previous_until,
    status: row.status === 'on' ? 'on' : 'off',
    statusReason: row.status_reason,
    registration: row.registration,
    registeredAt: row.registered_at,
    expiresAt: row.expires_at,
    secretRotatedAt: row.secret_rotated_at,
  };
}

function envelopeOf(row: {
  format_version: number;
  key_id: string;
  encrypted_data_key: Buffer;
  ciphertext: Buffer;
}): StoredEnvelope {
  return {
    formatVersion: row.format_version,
    keyId: row.key_id,
    encryptedDataKey: row.encrypted_data_key,
    ciphertext: row.ciphertext,
  };
}

function envelopeParams(envelope: StoredEnvelope): [number, string, Buffer, Buffer] {
  return [envelope.formatVersion, envelope.keyId, envelope.encryptedDataKey, envelope.ciphertext];
}
