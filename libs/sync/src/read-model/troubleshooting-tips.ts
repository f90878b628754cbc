import type { ErrorSample, SyncRunRecord, SyncRunResourceRecord } from '@mooring/persistence';

export type TipSeverity = 'info' | 'warning' | 'error';

/** One thing to check, derived from a run's counts; `kind`/`kindIndex` name the resource when it is about one. */
export interface TroubleshootingTip {
  readonly code: string;
  readonly severity: TipSeverity;
  readonly message: string;
  readonly kind?: string;
  readonly kindIndex?: number;
}

/** Run error codes meaning the tool refused the stored credentials: only a person can fix them. */
const CREDENTIAL_CODES: Readonly<Record<string, string>> = {
  CREDENTIALS_INVALID: 'The tool rejected the installation’s credentials: reconnect it or enter a new token.',
  CREDENTIALS_SCOPE_MISSING:
    'The credentials lack a permission the integration needs: grant the missing scopes, then reconnect or enter a new token.',
  REAUTH_REQUIRED: 'The tool refused to refresh the installation’s authorization: reconnect it.',
  CREDENTIALS_UNREADABLE: 'The stored credentials can no longer be decrypted: enter them again.',
};

/**
 * What a person should check after a run, from its counts alone (no I/O): nothing fetched, every
 * item filtered out, mapping or ingest failures (naming the failing field from the error samples),
 * a failed extract, a skipped deletion, rejected credentials. Ordered: run-level first, then per
 * resource in mapping order.
 */
export function troubleshootingTips(run: SyncRunRecord | null): TroubleshootingTip[] {
  if (!run) {
    return [
      {
        code: 'NO_RUN_YET',
        severity: 'info',
        message: 'This installation has not synced yet: its first run starts after installing, or request one with a resync.',
      },
    ];
  }
  const tips: TroubleshootingTip[] = [];
  if (run.status === 'pending' || run.status === 'running') {
    tips.push({
      code: 'RUN_IN_PROGRESS',
      severity: 'info',
      message: `The run is ${run.status}: counts grow as pages are processed and are final once it ends.`,
    });
  }
  const credentials = run.errorCode ? CREDENTIAL_CODES[run.errorCode] : undefined;
  if (credentials) tips.push({ code: 'RECONNECT', severity: 'error', message: credentials });
  else if (run.status === 'failed' && run.errorCode && !run.resources.some((r) => r.status === 'failed' && r.startedAt)) {
    tips.push({ code: 'RUN_FAILED', severity: 'error', message: `The run failed: ${run.errorMessage ?? run.errorCode}.` });
  }
  if (run.status === 'skipped') {
    tips.push({
      code: 'RUN_SKIPPED',
      severity: 'warning',
      message:
        'This due time was skipped because the previous run was still active: if it happens often, choose a longer interval.',
    });
  }
  if (run.status === 'aborted') {
    tips.push({
      code: 'RUN_ABORTED',
      severity: 'warning',
      message: 'The run was aborted (stopped or timed out) before it finished; nothing was deleted. The next run starts over.',
    });
  }

  // A resource that never started (the run ended before its turn) has no counts to explain.
  for (const resource of run.resources.filter((r) => r.startedAt)) tips.push(...resourceTips(resource));

  if (run.reingestFailed > 0) {
    tips.push({
      code: 'RELATED_ENTITIES_MISSING',
      severity: 'warning',
      message: `${run.reingestFailed} entit${run.reingestFailed === 1 ? 'y was' : 'ies were'} not written because a related entity does not exist: map the related kind too, or turn on createMissingRelatedEntities.`,
    });
  }
  if (run.deleteFailed > 0) {
    tips.push({
      code: 'DELETE_FAILED',
      severity: 'warning',
      message: `${run.deleteFailed} entit${run.deleteFailed === 1 ? 'y' : 'ies'} could not be deleted; the next clean run tries again.`,
    });
  }
  // Only a run that got to reconciliation decided anything; one that failed before says so above.
  const decided =
    run.deletionDecision === 'skipped' && run.deletionReason && run.reconcileMs !== null && run.status !== 'aborted';
  if (decided && fetchDropOf(run)) {
    const drop = fetchDropOf(run)!;
    tips.push({
      code: 'FETCH_DROPPED',
      severity: 'warning',
      message:
        `Nothing was deleted: ${run.deletionReason}. A tool that ends a listing early looks exactly like this, so Mooring ` +
        `keeps the entities until a run fetches about as many items again. If the tool really has fewer now (items removed, ` +
        `a narrower selector or token), request a resync with {"acceptFetchDrop": true}: that one run deletes despite the ` +
        `drop (every other check still applies). The installation's maxFetchDrop (now ${drop.maxFetchDrop}) sets how large a drop is allowed.`,
      ...resourceOf(run, drop.resource),
    });
  } else if (decided) {
    tips.push({
      code: 'DELETION_SKIPPED',
      severity: 'warning',
      message: `Entities the tool no longer has were not deleted: ${run.deletionReason}. They are deleted by the next run that passes every safety check.`,
    });
  }
  return tips;
}

function resourceTips(resource: SyncRunResourceRecord): TroubleshootingTip[] {
  const at = { kind: resource.kind, kindIndex: resource.resourceIndex };
  const name = `${resource.kind} (resource ${resource.resourceIndex})`;
  const tips: TroubleshootingTip[] = [];
  if (resource.status === 'skipped') {
    // The kind is unavailable to this installation (a setting it needs is empty, an auth method it does not take).
    return [
      {
        ...at,
        code: 'KIND_SKIPPED',
        severity: 'info',
        message: `${name} was skipped: ${resource.error ?? 'the installation cannot list it'}. Nothing was requested, and its entities from earlier runs are kept.`,
      },
    ];
  }
  const stoppedWhileMapping = resource.status === 'failed' && resource.fetchFailed === 0 && resource.error !== null;

  if (resource.status === 'failed' && !stoppedWhileMapping) {
    tips.push({
      ...at,
      code: 'EXTRACT_FAILED',
      severity: 'error',
      message: `Fetching ${name} failed${resource.error ? `: ${resource.error}` : ''}. Check the host and that the tool is reachable; the next run retries, and nothing was deleted.`,
    });
  } else if (stoppedWhileMapping) {
    tips.push({
      ...at,
      code: 'MAPPING_STOPPED',
      severity: 'error',
      message: `Mapping ${name} was stopped: ${resource.error}. Simplify the slow expressions of this resource.`,
    });
  } else if (resource.status === 'completed' && resource.fetched === 0) {
    tips.push({
      ...at,
      code: 'NOTHING_FETCHED',
      severity: 'warning',
      message: `The tool returned no ${resource.kind} items. Check that the token can read them (its permissions or scopes), that the host is the right one, and the selector's filters of this resource.`,
    });
  }
  if (resource.fetched > 0 && resource.filteredOut === resource.fetched) {
    tips.push({
      ...at,
      code: 'ALL_FILTERED_OUT',
      severity: 'warning',
      message: `All ${resource.fetched} ${resource.kind} items were filtered out: check the selector query of this resource.`,
    });
  }
  if (resource.transformFailed > 0) {
    const fields = fieldsOf(resource.errorSamples, 'transform');
    tips.push({
      ...at,
      code: 'TRANSFORM_FAILED',
      severity: 'error',
      message: `${resource.transformFailed} ${resource.kind} item(s) failed to map: check the mapping expression${fields.length > 1 ? 's' : ''} ${fields.length ? fields.join(', ') : 'of this resource'}${firstReason(resource.errorSamples, 'transform')}.`,
    });
  }
  const ingestFailed = resource.errorSamples.filter((sample) => sample.phase === 'load');
  if (resource.ingestFailed > 0 && ingestFailed.some((sample) => !isWaitingForRelation(sample))) {
    const fields = fieldsOf(resource.errorSamples, 'load');
    const blueprint = resource.blueprint ? `the ${resource.blueprint} blueprint's schema` : 'the blueprint schema';
    tips.push({
      ...at,
      code: 'INGEST_FAILED',
      severity: 'error',
      message: `${resource.ingestFailed} ${resource.kind} entit${resource.ingestFailed === 1 ? 'y was' : 'ies were'} rejected: check ${blueprint}${fields.length ? ` (${fields.join(', ')})` : ''} against what the mapping produces${firstReason(resource.errorSamples, 'load')}.`,
    });
  }
  return tips;
}

/** The drop rule's details, when it refused the run's deletion. */
function fetchDropOf(run: SyncRunRecord): { resource: string; maxFetchDrop: number } | undefined {
  const drop = (run.deletionDetails as { fetchDrop?: { resource?: unknown; maxFetchDrop?: unknown } } | null)?.fetchDrop;
  return drop && typeof drop.resource === 'string' && typeof drop.maxFetchDrop === 'number'
    ? { resource: drop.resource, maxFetchDrop: drop.maxFetchDrop }
    : undefined;
}

/** The kind and index of a resource named by its key (`kind-index`), when the run has it. */
function resourceOf(run: SyncRunRecord, key: string): { kind?: string; kindIndex?: number } {
  const found = run.resources.find((r) => `${r.kind}-${r.resourceIndex}` === key);
  return found ? { kind: found.kind, kindIndex: found.resourceIndex } : {};
}

function fieldsOf(samples: readonly ErrorSample[], phase: ErrorSample['phase']): string[] {
  return [...new Set(samples.filter((s) => s.phase === phase && s.field).map((s) => s.field!))];
}

function firstReason(samples: readonly ErrorSample[], phase: ErrorSample['phase']): string {
  const sample = samples.find((s) => s.phase === phase);
  if (!sample) return '';
  return ` (e.g. ${sample.identifier ? `${sample.identifier}: ` : ''}${sample.reason})`;
}

/** Parked for reingestion, not rejected by the schema: reported once reingestion is over. */
function isWaitingForRelation(sample: ErrorSample): boolean {
  return sample.reason.includes('does not exist yet');
}
