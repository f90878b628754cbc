import { setTimeout as sleep } from 'node:timers/promises';
import { FAKE_KINDS, type FakeFault, type FakeKind } from '@mooring/integrations/testing';
import { ChaosStack, MAX_ATTEMPTS, NOMINAL, PAGE_SIZE, type RunRow } from './chaos-stack.js';

// Randomised runs of the whole stack against a tool that answers wrongly and infrastructure that
// fails, each compared with the source of truth (the fake tool's items) as soon as it ends.
//
// The oracle, per run: B is the catalog before, A after, E what the source justifies (its items,
// plus the entities they relate to, which are never deleted while something relates to them).
// - a wrongful deletion is an entity of B ∩ E missing from A;
// - after a healthy run (no fault at all) A must equal E: anything more is a missed deletion,
//   anything less a missed load;
// - a run must end within 2 minutes (else stuck), in a state its faults allow, with `deleted`
//   equal to what disappeared (|B \ A|, however many attempts it took), and no process may die
//   but those the suite kills.

export interface ChaosOptions {
  readonly runs: number;
  readonly seed: number;
  /** Progress lines (every 50 runs) and violations as they happen. */
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly runs: number;
  readonly seed: number;
  readonly seconds: number;
  readonly healthyRuns: number;
  /** Faults injected by type (tool faults counted only when the tool actually served them). */
  readonly faultsInjected: Record<string, number>;
  readonly runStatuses: Record<string, number>;
  readonly deletedTotal: number;
  readonly wrongfulDeletions: number;
  readonly missedDeletionsAfterHealthyRuns: number;
  readonly missedLoadsAfterHealthyRuns: number;
  readonly stuckRuns: number;
  readonly runsInWrongState: number;
  readonly resyncsAnswered503: number;
  readonly unexpectedProcessExits: number;
  /** The first violations, in words, with the run's plan (replay with the same seed). */
  readonly violations: readonly string[];
}

type ToolFaultType = FakeFault['type'];
type InfraFault = 'worker-sigkill' | 'postgres-crash' | 'postgres-terminate-backends' | 'redis-restart' | 'redis-restart-empty';

interface ToolFaultPlan {
  readonly kind: FakeKind;
  readonly fault: FakeFault;
  readonly page: number;
  readonly times: number | undefined;
  /** The tool reports no totals this run (only with a cut of more than half the listing). */
  readonly withoutTotals: boolean;
}

interface RunPlan {
  readonly tool: ToolFaultPlan | null;
  readonly infra: { readonly fault: InfraFault; readonly afterMs: number; readonly downMs: number } | null;
  readonly latencyMs: number;
}

const TRANSIENT: ReadonlySet<ToolFaultType> = new Set(['no-items', 'items-not-list', 'null-entry', 'cut-body', 'abort', 'short']);
const INFRA: readonly InfraFault[] = [
  'worker-sigkill',
  'postgres-crash',
  'postgres-terminate-backends',
  'redis-restart',
  'redis-restart-empty',
];

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const random = generator(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const faultsInjected: Record<string, number> = {};
  const runStatuses: Record<string, number> = {};
  const violations: string[] = [];
  const count = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1);
  const tally = {
    healthy: 0,
    deleted: 0,
    wrongful: 0,
    missedDeletions: 0,
    missedLoads: 0,
    stuck: 0,
    wrongState: 0,
    unavailable: 0,
  };

  const stack = await ChaosStack.start();
  log(`process logs: ${stack.logDir} (kept when the suite fails)`);
  let failed = false;
  // The first failure gets the tail of every process's log, while it still shows the cause.
  const explain = () => {
    if (!failed) log(`the last lines of each process's log (all in ${stack.logDir}):\n${stack.logTails()}`);
    failed = true;
  };
  try {
    for (let n = 1; n <= options.runs; n++) {
      mutateSource(stack, random);
      const plan = planRun(stack, random, pick, chance);
      const violation = (what: string) => {
        const line = `run ${n} (seed ${options.seed}): ${what}; plan ${JSON.stringify(plan)}`;
        if (violations.length < 50) violations.push(line);
        log(line);
        explain();
      };

      const runStarted = performance.now();
      const before = await stack.catalog();
      const justified = justifiedBySource(stack);
      const present = presentKeys(stack);
      const servedBefore = stack.tool.faultsServed;
      stack.tool.setLatency(plan.latencyMs);
      if (plan.tool) {
        stack.tool.setReportTotals(!plan.tool.withoutTotals);
        stack.tool.injectFault(plan.tool.kind, { ...plan.tool.fault, page: plan.tool.page, times: plan.tool.times });
      }

      const { runId, unavailable } = await stack.resync().catch((error: unknown) => {
        log(`run ${n} (seed ${options.seed}): ${error instanceof Error ? error.message : String(error)}`);
        explain();
        throw error;
      });
      tally.unavailable += unavailable;
      if (plan.infra) {
        await sleep(plan.infra.afterMs);
        await injectInfra(stack, runId, plan.infra);
        count(faultsInjected, plan.infra.fault);
      }
      const ended = await stack.ended(runId, 120_000);
      if (plan.tool) stack.tool.injectFault(plan.tool.kind, null);
      stack.tool.setReportTotals(true);
      stack.tool.setLatency(0);
      const served = stack.tool.faultsServed > servedBefore;
      if (plan.tool && served) count(faultsInjected, `tool-${describeFault(plan.tool)}`);
      for (const died of await stack.checkProcesses()) violation(`a process died: ${died}`);

      if (!ended) {
        tally.stuck++;
        count(runStatuses, 'stuck');
        violation(`run ${runId} did not end within 2 minutes: ${JSON.stringify(await stack.run(runId))}`);
        continue;
      }
      count(runStatuses, ended.status);
      const after = await stack.catalog();
      tally.deleted += ended.deleted;

      const wrongful = [...before].filter((key) => justified.has(key) && !after.has(key));
      if (wrongful.length) {
        tally.wrongful += wrongful.length;
        violation(
          `deleted ${wrongful.length} entities the tool still has (e.g. ${wrongful.slice(0, 3).join(', ')}): ${describe(ended)}`,
        );
      }
      const disappeared = [...before].filter((key) => !after.has(key)).length;
      if (disappeared !== ended.deleted) {
        tally.wrongState++;
        violation(`the run reports deleted ${ended.deleted} but ${disappeared} entities disappeared: ${describe(ended)}`);
      }

      const healthy = !plan.infra && (!plan.tool || !served || plan.tool.fault.type === 'slow');
      const expected = expectedStatuses(plan, served);
      if (!expected.includes(ended.status)) {
        tally.wrongState++;
        violation(`ended ${ended.status}, expected ${expected.join(' or ')}: ${describe(ended)}`);
      }
      // A completed run over a tool that answered right is exact, faults of the infrastructure or not.
      const exact = ended.status === 'completed' && (!plan.tool || !served || plan.tool.fault.type === 'slow');
      if (healthy) tally.healthy++;
      if (exact) {
        const missedDeletions = [...after].filter((key) => !justified.has(key));
        const missedLoads = [...present].filter((key) => !after.has(key));
        if (missedDeletions.length || missedLoads.length) {
          if (healthy) {
            tally.missedDeletions += missedDeletions.length;
            tally.missedLoads += missedLoads.length;
          } else tally.wrongState++;
          violation(
            `after a clean pass ${missedDeletions.length} entities the tool no longer has remain (e.g. ${missedDeletions.slice(0, 3).join(', ')}) ` +
              `and ${missedLoads.length} it has are missing: ${describe(ended)}`,
          );
        }
      }
      if (process.env['CHAOS_VERBOSE']) {
        log(
          `run ${n}: ${ended.status} in ${Math.round(performance.now() - runStarted)} ms, attempt ${ended.attempt}; ${JSON.stringify(plan)}`,
        );
      }
      if (n % 50 === 0 || n === options.runs) {
        log(
          `${n}/${options.runs} runs, ${Math.round((performance.now() - started) / 1000)} s: ` +
            `wrongful deletions ${tally.wrongful}, missed after healthy runs ${tally.missedDeletions + tally.missedLoads}, ` +
            `stuck ${tally.stuck}, wrong state ${tally.wrongState}`,
        );
      }
    }
    const leaks = stack.secretsInLogs();
    if (leaks.length) {
      violations.push(`a secret of the stack appears in ${leaks.join(', ')} (in ${stack.logDir})`);
      failed = true;
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await stack.close({ keepLogs: failed });
  }
  return {
    runs: options.runs,
    seed: options.seed,
    seconds: Math.round((performance.now() - started) / 1000),
    healthyRuns: tally.healthy,
    faultsInjected: sortKeys(faultsInjected),
    runStatuses: sortKeys(runStatuses),
    deletedTotal: tally.deleted,
    wrongfulDeletions: tally.wrongful,
    missedDeletionsAfterHealthyRuns: tally.missedDeletions,
    missedLoadsAfterHealthyRuns: tally.missedLoads,
    stuckRuns: tally.stuck,
    runsInWrongState: tally.wrongState,
    resyncsAnswered503: tally.unavailable,
    unexpectedProcessExits: stack.unexpectedExits,
    violations,
  };
}

/**
 * Between runs the source changes as tools do: items removed, removed ones back, contents changed.
 * At most a quarter of a kind is ever missing, so a healthy run never trips the drop guard
 * (maxFetchDrop 0.5) or entityDeletionThreshold (0.9), whatever run it compares with.
 */
function mutateSource(stack: ChaosStack, random: () => number): void {
  for (const kind of FAKE_KINDS) {
    const nominal = NOMINAL[kind];
    const removed = new Set(stack.tool.removedIndexes(kind));
    const restore = [...removed].filter(() => random() < 0.3);
    stack.tool.restore(kind, restore);
    for (const index of restore) removed.delete(index);
    const budget = Math.floor(nominal / 4) - removed.size;
    const remove: number[] = [];
    for (let i = 0; i < Math.min(budget, Math.ceil(nominal * 0.05 * random())); i++) {
      const index = Math.floor(random() * nominal);
      if (!removed.has(index)) remove.push(index);
    }
    stack.tool.remove(kind, remove);
    stack.tool.change(
      kind,
      Array.from({ length: Math.floor(nominal * 0.05 * random()) }, () => Math.floor(random() * nominal)),
    );
  }
}

function planRun(
  stack: ChaosStack,
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
  chance: (p: number) => boolean,
): RunPlan {
  let tool: ToolFaultPlan | null = null;
  if (chance(0.5)) {
    const type = pick<ToolFaultType>([
      'status',
      'status',
      'no-items',
      'items-not-list',
      'null-entry',
      'cut-body',
      'short',
      'short',
      'empty',
      'abort',
      'slow',
    ]);
    // A listing of one page cannot end early: short pages go to the kinds of several pages.
    const kind = pick<FakeKind>(type === 'short' ? ['service', 'deployment'] : ['team', 'service', 'deployment', 'deployment']);
    const pages = Math.max(1, Math.ceil(countPresent(stack, kind) / PAGE_SIZE));
    const fault: FakeFault =
      type === 'status'
        ? ((status) => (status === 429 ? { type, status, retryAfterSeconds: 1 } : { type, status }))(
            pick([400, 403, 404, 500, 502, 503, 429]),
          )
        : type === 'slow'
          ? { type, ms: 200 + Math.floor(random() * 1_300) }
          : { type };
    // A short listing without totals is caught only when it drops more than maxFetchDrop (half):
    // such cuts, and only such, are made without totals.
    const withoutTotals = type === 'short' && pages >= 3 && chance(0.3);
    // A short last page is no fault (the listing does end there), and an empty kind is empty from
    // its first page.
    const page =
      type === 'empty'
        ? 0
        : withoutTotals
          ? Math.floor(random() * Math.floor(pages / 3))
          : Math.floor(random() * (type === 'short' ? pages - 1 : pages));
    const times = type === 'slow' || type === 'empty' ? 1 : pick([1, 1, 2, undefined]);
    tool = { kind, fault, page, times, withoutTotals };
  }
  const infra = chance(0.3)
    ? { fault: pick(INFRA), afterMs: Math.floor(random() * 1_500), downMs: 200 + Math.floor(random() * 1_800) }
    : null;
  // Slower pages when something will happen mid-run, so it lands while the run is going on.
  return { tool, infra, latencyMs: infra ? 10 + Math.floor(random() * 30) : 0 };
}

async function injectInfra(stack: ChaosStack, runId: string, infra: NonNullable<RunPlan['infra']>): Promise<void> {
  switch (infra.fault) {
    case 'worker-sigkill':
      return stack.killWorker(runId);
    case 'postgres-crash':
      return stack.crashPostgres(infra.downMs);
    case 'postgres-terminate-backends':
      for (let i = 0; i < 3; i++) {
        await stack.postgres.terminateAppBackends();
        await sleep(infra.downMs / 6);
      }
      return;
    case 'redis-restart':
      return stack.restartRedis({ keepData: true, downMs: infra.downMs });
    case 'redis-restart-empty':
      return stack.restartRedis({ keepData: false, downMs: infra.downMs });
  }
}

/** The end states a run's faults allow. Faults of the infrastructure may fail any run, never stall one. */
function expectedStatuses(plan: RunPlan, served: boolean): string[] {
  const tool = served ? plan.tool : null;
  const fault = tool?.fault;
  const tolerate = (statuses: string[]) => (plan.infra ? [...new Set([...statuses, 'completed', 'failed'])] : statuses);
  if (!fault || fault.type === 'slow' || fault.type === 'empty') return tolerate(['completed']);
  if (tool.withoutTotals) return tolerate(['completed']); // the drop guard refuses; the run itself is fine
  const transient = TRANSIENT.has(fault.type) || (fault.type === 'status' && (fault.status >= 500 || fault.status === 429));
  if (!transient) return tolerate(['failed']);
  // Two deployment resources read the same listing: a fault served twice may hit both in one attempt.
  return tolerate(tool.times !== undefined && tool.times < MAX_ATTEMPTS ? ['completed', 'failed'] : ['failed']);
}

function describeFault(tool: ToolFaultPlan): string {
  const fault = tool.fault;
  const what = fault.type === 'status' ? `${fault.status}` : fault.type;
  return tool.withoutTotals ? `${what}-without-totals` : what;
}

function describe(run: RunRow): string {
  return `run ${run.id} ${run.status} (attempt ${run.attempt}, ${run.error_code ?? 'no error'}), deletion ${run.deletion_decision}: ${run.deletion_reason}`;
}

const BLUEPRINTS: Readonly<Record<FakeKind, string>> = { team: 'fakeTeam', service: 'fakeService', deployment: 'fakeDeployment' };

function presentKeys(stack: ChaosStack): Set<string> {
  const keys = new Set<string>();
  for (const kind of FAKE_KINDS)
    for (const item of stack.tool.items(kind)) keys.add(`${BLUEPRINTS[kind]}/${item['id'] as string}`);
  return keys;
}

/** The source's items and the entities they relate to (a team of a service, a service of a deployment). */
function justifiedBySource(stack: ChaosStack): Set<string> {
  const keys = presentKeys(stack);
  for (const item of stack.tool.items('service')) if (item['team_id']) keys.add(`fakeTeam/${item['team_id'] as string}`);
  for (const item of stack.tool.items('deployment')) {
    if (item['service_id']) keys.add(`fakeService/${item['service_id'] as string}`);
  }
  return keys;
}

function countPresent(stack: ChaosStack, kind: FakeKind): number {
  let n = 0;
  for (const _ of stack.tool.items(kind)) n++;
  return n;
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

export function formatReport(report: ChaosReport): string {
  const lines = [
    `chaos: ${report.runs} runs (seed ${report.seed}) in ${report.seconds} s, ${report.healthyRuns} of them healthy`,
    `faults injected: ${Object.values(report.faultsInjected).reduce((a, b) => a + b, 0)} ${JSON.stringify(report.faultsInjected)}`,
    `runs ended: ${JSON.stringify(report.runStatuses)}; entities deleted: ${report.deletedTotal}; resyncs answered 503 while Redis was down: ${report.resyncsAnswered503}`,
    `wrongful deletions: ${report.wrongfulDeletions}`,
    `missed deletions after healthy runs: ${report.missedDeletionsAfterHealthyRuns} (entities missing after healthy runs: ${report.missedLoadsAfterHealthyRuns})`,
    `runs stuck: ${report.stuckRuns}; runs in a wrong state: ${report.runsInWrongState}; processes that died unasked: ${report.unexpectedProcessExits}`,
    ...report.violations.map((violation) => `  ✖ ${violation}`),
  ];
  return `${lines.join('\n')}\n`;
}
